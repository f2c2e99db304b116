import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Hdf5File, writeHdf5 } from './hdf5';

test('h5wasm round trip through the worker', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'h5-'));
  const path = join(dir, 'a.h5');
  const data = Uint8Array.from({ length: 4 * 3 * 2 }, (_, i) => i);
  await writeHdf5(path, [
    {
      name: 'images',
      data,
      shape: [4, 3, 2],
      dtype: '<B',
      chunks: [1, 3, 2],
      compression: 'gzip',
      compressionLevel: 4,
    },
  ]);
  const file = await Hdf5File.open(path);
  const info = await file.describe('images');
  expect(info?.shape).toEqual([4, 3, 2]);
  expect(info?.filters[0]?.id).toBe(1);
  const rows = await file.slice('images', 1, 3);
  expect(Array.from(rows as Uint8Array)).toEqual(Array.from(data.subarray(6, 18)));
  await file.close();
  rmSync(dir, { recursive: true });
});
