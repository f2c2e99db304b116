import { buildConfig } from './config';
import { loadTrainerDataset } from './data';
import { runSplits } from './model_setup';

test('--eval-only holds out the same validation share as training (a resumed pipeline counts its examples)', async () => {
  const config = buildConfig([
    { source: 'test', values: { model: 'mnist-wavemix-lite-8-10', dataset: 'mnist', valFraction: 0.02 } },
  ]);
  const train = await loadTrainerDataset(config, 'train');
  const test = await loadTrainerDataset(config, 'test');
  const training = runSplits(config, train, test);
  const evalOnly = runSplits({ ...config, evalOnly: true }, train, test);
  expect(training.trainSet.size).toBe(58_800);
  expect(training.validationSet?.size).toBe(1_200);
  expect(evalOnly.trainSet.size).toBe(58_800);
  expect(evalOnly.testSet.size).toBe(10_000);
});
