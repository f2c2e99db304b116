import { compareWithCpu, CPU_CHECK_TOLERANCE } from './cpu_check';

describe('compareWithCpu', () => {
  const reference = Float32Array.from([2.5, -1, 0.25, 4]);

  it('accepts float32 noise and refuses a backend that hands back zeros or NaN', () => {
    expect(CPU_CHECK_TOLERANCE).toBe(1e-2);
    expect(compareWithCpu(Float32Array.from([2.5000002, -1, 0.25, 3.9999995]), reference)).toBeNull();
    // 1 % of the largest output (4) is 0.04: 0.039 passes, 0.041 does not.
    expect(compareWithCpu(Float32Array.from([2.5, -1, 0.25 + 0.039, 4]), reference)).toBeNull();
    expect(compareWithCpu(Float32Array.from([2.5, -1, 0.25 + 0.041, 4]), reference)).toBe(
      "the model's output differs from cpu by up to 0.0410 (outputs up to 4.00)",
    );
    // A lost context: all zeros (every class at 10 % after softmax).
    expect(compareWithCpu(new Float32Array(4), reference)).toBe(
      "the model's output differs from cpu by up to 4.00 (outputs up to 4.00)",
    );
    expect(compareWithCpu(Float32Array.from([NaN, -1, 0.25, 4]), reference)).toBe(
      "the model's output differs from cpu by up to Infinity (outputs up to 4.00)",
    );
    expect(compareWithCpu(new Float32Array(3), reference)).toBe("the model's output has 3 values, 4 on cpu");
  });
});
