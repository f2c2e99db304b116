import { Rng } from '../rng';
import {
  applyTrivialAugmentOp,
  TRIVIAL_AUGMENT_OPS,
  trivialAugmentMagnitudes,
  trivialAugmentWide,
  type TrivialAugmentOp,
} from './trivial_augment';
import { lcgImage } from './testdata/images';
import { TRIVIAL_AUGMENT_REFERENCE as REF } from './testdata/trivial_augment_reference';

test('operation list and magnitude bins equal torchvision TrivialAugmentWide(31)', () => {
  expect([...TRIVIAL_AUGMENT_OPS]).toEqual(REF.ops);
  for (const op of TRIVIAL_AUGMENT_OPS) {
    const { magnitudes, signed } = trivialAugmentMagnitudes(op);
    const expected = (REF.magnitudes as Record<string, number[]>)[op]!;
    expect(signed).toBe((REF.signed as Record<string, boolean>)[op]);
    if (expected.length === 1 && expected[0] === 0 && magnitudes.length === 0) continue; // no magnitude
    expect(magnitudes).toEqual(expected);
  }
});

describe('each operation matches torchvision 0.14 pixel for pixel', () => {
  const images = REF.images as unknown as Record<string, { seed: number; shape: [number, number, number] }>;
  for (const key of Object.keys(images)) {
    const { seed, shape } = images[key]!;
    const [h, w, c] = shape;
    const data = lcgImage(seed, h, w, c);
    test(`${key} ${h}x${w}x${c}`, () => {
      const mismatches: string[] = [];
      for (const item of REF.cases.filter((x) => x.image === key)) {
        const out = applyTrivialAugmentOp(
          { data, height: h, width: w, channels: c },
          item.op as TrivialAugmentOp,
          item.magnitude,
        );
        const expected = Buffer.from(item.output, 'base64');
        let differing = 0;
        for (let i = 0; i < expected.length; i++) if (out.data[i] !== expected[i]) differing++;
        if (differing > 0) mismatches.push(`${item.op} bin ${item.bin} sign ${item.sign}: ${differing} values differ`);
      }
      expect(mismatches).toEqual([]);
    });
  }
});

test('trivialAugmentWide is deterministic per seed and draws every operation', () => {
  const data = lcgImage(3, 32, 32, 3);
  const image = { data, height: 32, width: 32, channels: 3 };
  const a = trivialAugmentWide(image, new Rng(7));
  const b = trivialAugmentWide(image, new Rng(7));
  expect(Array.from(a.data)).toEqual(Array.from(b.data));
  expect(image.data).toEqual(lcgImage(3, 32, 32, 3)); // input untouched
  // The first draw picks the operation uniformly among the 14.
  const counts = new Map<number, number>();
  for (let s = 0; s < 2800; s++) {
    const op = new Rng(s).int(TRIVIAL_AUGMENT_OPS.length);
    counts.set(op, (counts.get(op) ?? 0) + 1);
  }
  expect(counts.size).toBe(14);
  for (const n of counts.values()) expect(Math.abs(n - 200)).toBeLessThan(60);
});

test('images with 2 or 4 channels are refused', () => {
  expect(() =>
    applyTrivialAugmentOp({ data: new Uint8Array(16), height: 2, width: 2, channels: 4 }, 'Identity', 0),
  ).toThrow(/1 or 3 channels/);
});
