import { modelInputSize } from './model_input';

describe('modelInputSize', () => {
  it("uses the model's fixed input size", () => {
    expect(modelInputSize([32, 32], 8, 28, 28)).toEqual({ width: 32, height: 32, resized: true });
    expect(modelInputSize([28, 28], 2, 28, 28)).toEqual({ width: 28, height: 28, resized: false });
  });

  it('rounds a free size to the nearest multiple of the divisor', () => {
    expect(modelInputSize(null, 2, 28, 28)).toEqual({ width: 28, height: 28, resized: false });
    expect(modelInputSize(null, 8, 28, 21)).toEqual({ width: 32, height: 24, resized: true }); // 3.5 -> 4, 2.625 -> 3
    expect(modelInputSize(undefined, 16, 5, 100)).toEqual({ width: 16, height: 96, resized: true });
  });
});
