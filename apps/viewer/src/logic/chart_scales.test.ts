import { confusionAlpha, confusionTooltip, metricAxis } from './chart_scales';
import { largeRunWarning, runWork } from './run_size';

describe('metricAxis', () => {
  it('puts the trainer epoch metrics on the right axes', () => {
    expect(['trainAccuracy', 'valAccuracy', 'valTop5Accuracy', 'valMeanIoU'].map(metricAxis)).toEqual([
      'fraction',
      'fraction',
      'fraction',
      'fraction',
    ]);
    expect(metricAxis('valExpectedCalibrationError')).toBe('calibration');
    expect(metricAxis('valEce')).toBe('calibration');
    expect(metricAxis('valPsnr')).toBe('decibel');
    expect(metricAxis('valSomethingElse')).toBe('other');
  });
});

describe('confusion colours and tooltips', () => {
  it('uses a square-root scale so small confusions show', () => {
    expect(confusionAlpha(0)).toBeCloseTo(0.04, 12);
    expect(confusionAlpha(1)).toBeCloseTo(1, 12);
    // 1 % confused: 0.04 + 0.96 * 0.1 = 0.136 (linear would give 0.0496).
    expect(confusionAlpha(0.01)).toBeCloseTo(0.136, 12);
    expect(confusionAlpha(0.25)).toBeCloseTo(0.52, 12);
    expect(confusionAlpha(2)).toBe(1);
  });

  it('says which axis is the true class and which the prediction', () => {
    expect(confusionTooltip('7', '2', 3, 3 / 110)).toEqual(['true: 7 → predicted: 2', '3 images (2.7 % of true 7)']);
    expect(confusionTooltip('cat', 'dog', 1, 0.5)).toEqual([
      'true: cat → predicted: dog',
      '1 image (50.0 % of true cat)',
    ]);
  });
});

describe('largeRunWarning', () => {
  it('asks first only above the threshold', () => {
    // The bundled classifier: 11,634 parameters on 28×28.
    expect(runWork(11634, 28, 28)).toBe(9121056);
    expect(largeRunWarning(11634, 28, 28, 'webgpu')).toBeNull();
    // 2.5 M parameters on 128×128: 4.1e10.
    expect(largeRunWarning(2_500_000, 128, 128, 'wasm')).toBe(
      'This is a large run: 2.50 M parameters on a 128×128 input (41×10⁹ parameter·pixels) may take minutes on wasm. Run it anyway, or use a smaller image or input size (zoo overrides).',
    );
  });
});
