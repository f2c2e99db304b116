/**
 * Screenshot comparison: a PNG of an element is compared with its committed reference
 * (tests/browser/__screenshots__) with pixelmatch. `UPDATE_SCREENSHOTS=1` rewrites the references.
 */
import { existsSync, mkdirSync, writeFileSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import pixelmatch from 'pixelmatch';
import { PNG } from 'pngjs';

export const REFERENCE_DIR = join(__dirname, '__screenshots__');
export const OUTPUT_DIR = join(__dirname, '..', '..', 'test-results', 'screenshots');

export interface ScreenshotComparison {
  name: string;
  actualPath: string;
  referencePath: string;
  differentPixels: number;
  totalPixels: number;
  updated: boolean;
}

/**
 * Compares `png` with the reference `name`.png: pixels whose YIQ colour distance exceeds
 * `threshold` (pixelmatch's, 0..1) count as different; at most `maxDifferentShare` of them may.
 */
export function compareScreenshot(
  name: string,
  png: Buffer,
  options: { threshold?: number; maxDifferentShare?: number } = {},
): ScreenshotComparison {
  mkdirSync(OUTPUT_DIR, { recursive: true });
  const actualPath = join(OUTPUT_DIR, `${name}.png`);
  writeFileSync(actualPath, png);
  const referencePath = join(REFERENCE_DIR, `${name}.png`);
  const actual = PNG.sync.read(png);
  if (process.env['UPDATE_SCREENSHOTS'] === '1' || !existsSync(referencePath)) {
    if (process.env['CI'] && !existsSync(referencePath))
      throw new Error(`no reference screenshot ${referencePath}; run with UPDATE_SCREENSHOTS=1 and commit it`);
    mkdirSync(REFERENCE_DIR, { recursive: true });
    writeFileSync(referencePath, png);
    return {
      name,
      actualPath,
      referencePath,
      differentPixels: 0,
      totalPixels: actual.width * actual.height,
      updated: true,
    };
  }
  const reference = PNG.sync.read(readFileSync(referencePath));
  if (reference.width !== actual.width || reference.height !== actual.height) {
    throw new Error(
      `${name}: screenshot is ${actual.width}×${actual.height}, reference ${reference.width}×${reference.height} (${actualPath} vs ${referencePath})`,
    );
  }
  const diff = new PNG({ width: actual.width, height: actual.height });
  const differentPixels = pixelmatch(actual.data, reference.data, diff.data, actual.width, actual.height, {
    threshold: options.threshold ?? 0.1,
  });
  writeFileSync(join(OUTPUT_DIR, `${name}.diff.png`), PNG.sync.write(diff));
  const totalPixels = actual.width * actual.height;
  const allowed = Math.floor((options.maxDifferentShare ?? 0.01) * totalPixels);
  if (differentPixels > allowed) {
    throw new Error(
      `${name}: ${differentPixels} of ${totalPixels} pixels differ from the reference (allowed ${allowed}); see ${actualPath} and ${name}.diff.png`,
    );
  }
  return { name, actualPath, referencePath, differentPixels, totalPixels, updated: false };
}
