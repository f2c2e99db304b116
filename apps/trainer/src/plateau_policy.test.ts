import { afterValidation, type PlateauAction, type PlateauRule, type PlateauState } from './plateau_policy';

const fresh = (phase: PlateauState['phase'] = 'adamw'): PlateauState => ({
  bestMetric: null,
  bestEpoch: null,
  epochsWithoutImprovement: 0,
  phase,
  phaseStartEpoch: 0,
});

/** Feeds validation metrics for epochs 1, 2, ... and records each decision. */
function play(metrics: number[], rule: PlateauRule, start = fresh()) {
  let state = start;
  const actions: PlateauAction[] = [];
  const improved: boolean[] = [];
  metrics.forEach((metric, i) => {
    const decision = afterValidation(state, metric, i + 1, rule);
    state = decision.state;
    actions.push(decision.action);
    improved.push(decision.improved);
  });
  return { state, actions, improved };
}

test('the first validation is always the best so far', () => {
  const { state, actions, improved } = play([0.1], { patience: 1, opt: 'adamw' });
  expect(improved).toEqual([true]);
  expect(actions).toEqual(['continue']);
  expect(state).toEqual({
    bestMetric: 0.1,
    bestEpoch: 1,
    epochsWithoutImprovement: 0,
    phase: 'adamw',
    phaseStartEpoch: 0,
  });
});

test('adamw: early stopping after `patience` epochs without a strictly higher metric (ties do not count)', () => {
  const { state, actions, improved } = play([0.5, 0.6, 0.6, 0.55], { patience: 2, opt: 'adamw' });
  expect(improved).toEqual([true, true, false, false]);
  expect(actions).toEqual(['continue', 'continue', 'continue', 'stop']);
  expect(state).toMatchObject({ bestMetric: 0.6, bestEpoch: 2, epochsWithoutImprovement: 2, phase: 'adamw' });
});

test('an improvement resets the patience count', () => {
  const { state, actions } = play([0.5, 0.4, 0.7, 0.6, 0.6], { patience: 2, opt: 'sgd' }, fresh('sgd'));
  expect(actions).toEqual(['continue', 'continue', 'continue', 'continue', 'stop']);
  expect(state).toMatchObject({ bestMetric: 0.7, bestEpoch: 3, phase: 'sgd' });
});

test('dualopt: AdamW until patience runs out, then SGD (phase starts after that epoch) until it runs out again', () => {
  const { state, actions, improved } = play([0.5, 0.4, 0.6, 0.45], { patience: 1, opt: 'dualopt' });
  expect(improved).toEqual([true, false, true, false]);
  expect(actions).toEqual(['continue', 'switch-to-sgd', 'continue', 'stop']);
  expect(state).toMatchObject({
    phase: 'sgd',
    phaseStartEpoch: 2,
    bestMetric: 0.6,
    bestEpoch: 3,
    epochsWithoutImprovement: 1,
  });
});

test('dualopt switches once; the switch resets the count but keeps the best metric', () => {
  const first = play([0.8, 0.7, 0.7], { patience: 2, opt: 'dualopt' });
  expect(first.actions).toEqual(['continue', 'continue', 'switch-to-sgd']);
  expect(first.state).toEqual({
    bestMetric: 0.8,
    bestEpoch: 1,
    epochsWithoutImprovement: 0,
    phase: 'sgd',
    phaseStartEpoch: 3,
  });
  const second = play([0.7, 0.7], { patience: 2, opt: 'dualopt' }, first.state);
  expect(second.actions).toEqual(['continue', 'stop']);
});

test('the input state is not mutated', () => {
  const state = fresh();
  const frozen = { ...state };
  afterValidation(state, 0.3, 1, { patience: 1, opt: 'dualopt' });
  expect(state).toEqual(frozen);
});
