/**
 * Whether a model run is large enough to ask first. The work of a WaveMix forward pass grows with
 * its parameters times the pixels they slide over; `parameters × input pixels` is a cheap proxy
 * that needs no shapes (models without a fixed input size have none). Calibrated on SwiftShader:
 * the bundled MNIST classifier is ~1e7 (instant), the zoo SR model at full width on a 128×128
 * input ~4e10 (minutes).
 */
export const LARGE_RUN_WORK = 2e9;

export function runWork(parameters: number, width: number, height: number): number {
  return parameters * width * height;
}

/** The sentence asking whether to go on, or null when the run is small. */
export function largeRunWarning(parameters: number, width: number, height: number, backend: string): string | null {
  const work = runWork(parameters, width, height);
  if (work < LARGE_RUN_WORK) return null;
  const millions = (parameters / 1e6).toFixed(parameters >= 1e7 ? 0 : 2);
  return (
    `This is a large run: ${millions} M parameters on a ${width}×${height} input (${(work / 1e9).toFixed(0)}×10⁹ parameter·pixels) ` +
    `may take minutes on ${backend}. Run it anyway, or use a smaller image or input size (zoo overrides).`
  );
}
