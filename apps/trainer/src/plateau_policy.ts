/**
 * What happens after each validation: best-metric bookkeeping, patience, and the dualopt phase
 * switch of the official recipe (AdamW until the validation metric stops improving for `patience`
 * epochs, then the best weights are reloaded and SGD continues under the same rule; a plain
 * optimizer stops early instead). Pure: no tensors, no files.
 */
export type Phase = 'adamw' | 'sgd';

export interface PlateauState {
  bestMetric: number | null;
  bestEpoch: number | null;
  epochsWithoutImprovement: number;
  phase: Phase;
  phaseStartEpoch: number;
}

export interface PlateauRule {
  patience: number;
  opt: 'adamw' | 'sgd' | 'dualopt' | 'lion';
}

/**
 * - `continue`: keep training;
 * - `switch-to-sgd`: reload the best weights and continue with SGD (dualopt);
 * - `stop`: early stopping.
 */
export type PlateauAction = 'continue' | 'switch-to-sgd' | 'stop';

export interface PlateauDecision {
  state: PlateauState;
  /** The metric beat the best so far (save the best checkpoint). */
  improved: boolean;
  action: PlateauAction;
}

/** The decision after validating completed epoch `epoch` (1-based) with `metric` (higher is better). */
export function afterValidation(
  state: PlateauState,
  metric: number,
  epoch: number,
  rule: PlateauRule,
): PlateauDecision {
  const improved = state.bestMetric === null || metric > state.bestMetric;
  const next: PlateauState = improved
    ? { ...state, bestMetric: metric, bestEpoch: epoch, epochsWithoutImprovement: 0 }
    : { ...state, epochsWithoutImprovement: state.epochsWithoutImprovement + 1 };
  if (next.epochsWithoutImprovement < rule.patience) return { state: next, improved, action: 'continue' };
  if (rule.opt === 'dualopt' && next.phase === 'adamw') {
    return {
      state: { ...next, phase: 'sgd', phaseStartEpoch: epoch, epochsWithoutImprovement: 0 },
      improved,
      action: 'switch-to-sgd',
    };
  }
  return { state: next, improved, action: 'stop' };
}
