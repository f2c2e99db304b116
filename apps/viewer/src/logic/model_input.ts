/**
 * The size an image is given to a model at: the model's fixed input size when it has one,
 * otherwise the image's own size rounded to the nearest multiple of what the stem and wave
 * blocks can divide (at least one multiple).
 */
export function modelInputSize(
  inputSize: readonly [number, number] | null | undefined,
  divisor: number,
  width: number,
  height: number,
): { width: number; height: number; resized: boolean } {
  if (inputSize)
    return { height: inputSize[0], width: inputSize[1], resized: inputSize[0] !== height || inputSize[1] !== width };
  const round = (n: number) => Math.max(divisor, Math.round(n / divisor) * divisor);
  const w = round(width);
  const h = round(height);
  return { width: w, height: h, resized: w !== width || h !== height };
}
