import { learningRateAt } from './schedules';

// torch.optim.lr_scheduler.OneCycleLR(max_lr=1.0, total_steps=20) (defaults: pct_start 0.3,
// cos, div_factor 25, final_div_factor 1e4), lr before each of the 20 steps.
const TORCH_ONECYCLE = [
  0.040000000000000036, 0.1316718427000253, 0.3716718427000253, 0.6683281572999747, 0.9083281572999747, 1.0,
  0.9874640062350873, 0.9504846320134737, 0.89091617757105, 0.8117456539497631, 0.7169430017913008, 0.6112620219362893,
  0.500002, 0.38874197806371075, 0.28306099820869923, 0.18825834605023697, 0.10908782242895004, 0.049519367986526286,
  0.012539993764912554, 4e-6,
];

test('onecycle matches PyTorch OneCycleLR', () => {
  TORCH_ONECYCLE.forEach((lr, step) =>
    expect(learningRateAt(step, { name: 'onecycle', baseLr: 1, totalSteps: 20, warmupSteps: 0 })).toBeCloseTo(lr, 9),
  );
});

test('cosine with linear warm-up', () => {
  const options = { name: 'cosine' as const, baseLr: 0.1, totalSteps: 110, warmupSteps: 10 };
  expect(learningRateAt(0, options)).toBeCloseTo(0.01, 12);
  expect(learningRateAt(9, options)).toBeCloseTo(0.1, 12);
  expect(learningRateAt(10, options)).toBeCloseTo(0.1, 12);
  expect(learningRateAt(60, options)).toBeCloseTo(0.05, 12);
  expect(learningRateAt(110, options)).toBeCloseTo(0, 12);
});

test('none is constant after warm-up', () => {
  const options = { name: 'none' as const, baseLr: 0.5, totalSteps: 100, warmupSteps: 4 };
  expect([0, 1, 2, 3, 4, 99].map((s) => learningRateAt(s, options))).toEqual([0.125, 0.25, 0.375, 0.5, 0.5, 0.5]);
});
