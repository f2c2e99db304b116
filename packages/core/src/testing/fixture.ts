import { readSafetensors, toFloat32, type SafetensorsFile } from '../safetensors';
import { BICUBIC_X2_FIXTURE_BASE64 } from './bicubic_x2_fixture';
import { DWT_HAAR_FIXTURE_BASE64 } from './dwt_haar_fixture';

export interface DwtFixtureCase {
  index: number;
  /** NCHW input. */
  x: Float32Array;
  xShape: [number, number, number, number];
  /** Coarsest low band, NCHW. */
  yl: Float32Array;
  wl: Float32Array;
  /** Per level (finest first): (N, C, 3, H_l, W_l). */
  yh: Float32Array[];
  wh: Float32Array[];
  levelShapes: Array<[number, number, number, number]>;
  gradX: Float32Array;
}

function decodeBase64(base64: string): Uint8Array {
  const binary = atob(base64);
  const bytes = new Uint8Array(binary.length);
  for (let i = 0; i < binary.length; i++) bytes[i] = binary.charCodeAt(i);
  return bytes;
}

export function dwtFixtureBytes(): Uint8Array {
  return decodeBase64(DWT_HAAR_FIXTURE_BASE64);
}

/** The cases of fixtures/pytorch/dwt_haar.safetensors (official pytorch_wavelets outputs). */
export function dwtFixtureCases(
  file: SafetensorsFile = readSafetensors(dwtFixtureBytes(), { source: 'dwt_haar.safetensors' }),
): DwtFixtureCase[] {
  const cases: DwtFixtureCase[] = [];
  for (let index = 0; file.tensors.has(`case${index}.x`); index++) {
    const get = (name: string) => {
      const tensor = file.tensors.get(`case${index}.${name}`);
      if (!tensor) throw new Error(`dwt_haar.safetensors: missing case${index}.${name}`);
      return tensor;
    };
    const yh: Float32Array[] = [];
    const wh: Float32Array[] = [];
    const levelShapes: Array<[number, number, number, number]> = [];
    for (let level = 0; file.tensors.has(`case${index}.yh${level}`); level++) {
      const t = get(`yh${level}`);
      yh.push(toFloat32(t));
      wh.push(toFloat32(get(`wh${level}`)));
      const [n, c, , h, w] = t.shape as number[];
      levelShapes.push([n!, c!, h!, w!]);
    }
    cases.push({
      index,
      x: toFloat32(get('x')),
      xShape: [...get('x').shape] as [number, number, number, number],
      yl: toFloat32(get('yl')),
      wl: toFloat32(get('wl')),
      yh,
      wh,
      levelShapes,
      gradX: toFloat32(get('grad_x')),
    });
  }
  return cases;
}

export function bicubicFixtureBytes(): Uint8Array {
  return decodeBase64(BICUBIC_X2_FIXTURE_BASE64);
}

export interface BicubicFixtureCase {
  index: number;
  /** NCHW input, output, loss weights and d/dx sum(y * w). */
  x: Float32Array;
  xShape: [number, number, number, number];
  y: Float32Array;
  yShape: [number, number, number, number];
  w: Float32Array;
  gradX: Float32Array;
}

/** The cases of fixtures/pytorch/bicubic_x2.safetensors (PyTorch `Upsample` bicubic x2). */
export function bicubicFixtureCases(
  file: SafetensorsFile = readSafetensors(bicubicFixtureBytes(), { source: 'bicubic_x2.safetensors' }),
): BicubicFixtureCase[] {
  const cases: BicubicFixtureCase[] = [];
  for (let index = 0; file.tensors.has(`case${index}.x`); index++) {
    const get = (name: string) => {
      const tensor = file.tensors.get(`case${index}.${name}`);
      if (!tensor) throw new Error(`bicubic_x2.safetensors: missing case${index}.${name}`);
      return tensor;
    };
    cases.push({
      index,
      x: toFloat32(get('x')),
      xShape: [...get('x').shape] as [number, number, number, number],
      y: toFloat32(get('y')),
      yShape: [...get('y').shape] as [number, number, number, number],
      w: toFloat32(get('w')),
      gradX: toFloat32(get('grad_x')),
    });
  }
  return cases;
}
