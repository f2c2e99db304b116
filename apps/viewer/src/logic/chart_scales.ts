/** Pure choices behind the training charts: which axis a metric goes on, and heatmap colours. */

export type MetricAxis = 'fraction' | 'calibration' | 'decibel' | 'other';

/**
 * The axis of an epoch metric: accuracies and IoUs are fractions in [0, 1]; the expected
 * calibration error is a fraction too but "lower is better" and small, so it gets its own axis
 * (on the accuracy axis it is a flat line near 0); PSNR is in dB.
 */
export function metricAxis(key: string): MetricAxis {
  if (/calibration|(^|[a-z])ece$/i.test(key)) return 'calibration';
  if (/psnr/i.test(key)) return 'decibel';
  if (/accuracy|iou|dice|f1|precision|recall/i.test(key)) return 'fraction';
  return 'other';
}

/**
 * Opacity of a confusion-matrix cell holding share `v` (0..1) of its true class. A square-root
 * scale: on a linear one, the 1-2 % confusions a good model makes are invisible next to the
 * diagonal's 95 %.
 */
export function confusionAlpha(v: number): number {
  const clamped = Math.min(1, Math.max(0, v));
  return 0.04 + 0.96 * Math.sqrt(clamped);
}

/** Tooltip lines of one cell: which axis is which, the count, and the share of the true class. */
export function confusionTooltip(trueClass: string, predicted: string, count: number, share: number): string[] {
  return [
    `true: ${trueClass} → predicted: ${predicted}`,
    `${count} image${count === 1 ? '' : 's'} (${(100 * share).toFixed(1)} % of true ${trueClass})`,
  ];
}
