/** Colours of the 19 Cityscapes train ids (cityscapesScripts `labels.py`), in train-id order. */
export const CITYSCAPES_PALETTE: ReadonlyArray<readonly [number, number, number]> = [
  [128, 64, 128], // road
  [244, 35, 232], // sidewalk
  [70, 70, 70], // building
  [102, 102, 156], // wall
  [190, 153, 153], // fence
  [153, 153, 153], // pole
  [250, 170, 30], // traffic light
  [220, 220, 0], // traffic sign
  [107, 142, 35], // vegetation
  [152, 251, 152], // terrain
  [70, 130, 180], // sky
  [220, 20, 60], // person
  [255, 0, 0], // rider
  [0, 0, 142], // car
  [0, 0, 70], // truck
  [0, 60, 100], // bus
  [0, 80, 100], // train
  [0, 0, 230], // motorcycle
  [119, 11, 32], // bicycle
];

/** Colour of a class: the Cityscapes palette, then black (the official "unlabeled" colour). */
export function classColor(label: number): readonly [number, number, number] {
  return CITYSCAPES_PALETTE[label] ?? [0, 0, 0];
}

/**
 * Blends the label colours over an RGBA image: `(1 - opacity) * image + opacity * colour` per
 * channel, rounded; alpha is kept.
 */
export function overlayLabels(image: ArrayLike<number>, labels: ArrayLike<number>, opacity: number): Uint8ClampedArray {
  if (image.length !== labels.length * 4) {
    throw new RangeError(`image has ${image.length / 4} pixels but the label map has ${labels.length}`);
  }
  const alpha = Math.min(1, Math.max(0, opacity));
  const out = new Uint8ClampedArray(image.length);
  for (let p = 0; p < labels.length; p++) {
    const color = classColor(labels[p]!);
    for (let c = 0; c < 3; c++) out[4 * p + c] = Math.round((1 - alpha) * image[4 * p + c]! + alpha * color[c]!);
    out[4 * p + 3] = image[4 * p + 3]!;
  }
  return out;
}

/** How many pixels carry each label (for the legend). */
export function labelHistogram(labels: ArrayLike<number>, numClasses: number): number[] {
  const counts = new Array<number>(numClasses).fill(0);
  for (let i = 0; i < labels.length; i++) {
    const label = labels[i]!;
    if (label >= 0 && label < numClasses) counts[label]!++;
  }
  return counts;
}
