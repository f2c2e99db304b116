/**
 * Learning-rate schedules as pure functions of progress, so a resumed run recomputes the exact
 * rate from (epoch, step) with no schedule state to checkpoint.
 *   none:     constant after linear warm-up.
 *   cosine:   linear warm-up, then half a cosine from lr to 0 over the remaining steps.
 *   onecycle: PyTorch OneCycleLR (cos annealing, pct_start 0.3, div_factor 25, final_div_factor 1e4);
 *             its rise replaces warm-up.
 */
export type ScheduleName = 'none' | 'cosine' | 'onecycle';

export interface ScheduleOptions {
  name: ScheduleName;
  baseLr: number;
  totalSteps: number;
  warmupSteps: number;
}

function cosineBetween(start: number, end: number, fraction: number): number {
  return end + ((start - end) * (1 + Math.cos(Math.PI * Math.min(1, Math.max(0, fraction))))) / 2;
}

/** The learning rate for 0-based global `step`. */
export function learningRateAt(step: number, { name, baseLr, totalSteps, warmupSteps }: ScheduleOptions): number {
  if (name === 'onecycle') {
    // PyTorch: the rise ends at step pct_start * total_steps - 1 (a float), the fall at total - 1.
    const peakStep = Math.max(1, 0.3 * totalSteps - 1);
    const initial = baseLr / 25;
    const final = initial / 1e4;
    if (step <= peakStep) return cosineBetween(initial, baseLr, step / peakStep);
    return cosineBetween(baseLr, final, (step - peakStep) / Math.max(1, totalSteps - 1 - peakStep));
  }
  if (warmupSteps > 0 && step < warmupSteps) return (baseLr * (step + 1)) / warmupSteps;
  if (name === 'cosine') {
    return cosineBetween(baseLr, 0, (step - warmupSteps) / Math.max(1, totalSteps - warmupSteps));
  }
  return baseLr;
}
