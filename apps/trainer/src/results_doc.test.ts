// docs/results.md stays consistent with what it describes: each row's published figure and
// parameter count are the registry's, its epochs, seed and command are the preset's, and a
// reproduced figure below the published one is marked as not reached.
import * as tf from '@tensorflow/tfjs';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { countTrainableParams, createModel, getModelInfo } from '@wavemix/models';
import { PRESETS } from './presets';

const DOC = join(__dirname, '../../../docs/results.md');

interface Row {
  preset: string;
  registry: string;
  params: number;
  published: number;
  reproduced: string;
  epochs: number;
  seed: number;
  command: string;
}

const number = (cell: string) => Number(/[\d,.]+/.exec(cell)?.[0]?.replace(/,/g, '') ?? NaN);
const code = (cell: string) => /`([^`]+)`/.exec(cell)?.[1] ?? '';

/** The rows of the table under "## Published vs reproduced". */
function rows(): Row[] {
  const text = readFileSync(DOC, 'utf8');
  const section = text.split('## Published vs reproduced')[1]!.split('\n## ')[0]!;
  const lines = section.split('\n').filter((line) => line.startsWith('|'));
  const header = lines[0]!.split('|').map((c) => c.trim().toLowerCase());
  const column = (name: string) => header.findIndex((c) => c.startsWith(name));
  return lines.slice(2).map((line) => {
    const cells = line.split('|').map((c) => c.trim());
    return {
      preset: code(cells[column('preset')]!),
      registry: code(cells[column('registry')]!),
      params: number(cells[column('params')]!),
      published: number(cells[column('published')]!),
      reproduced: cells[column('reproduced')]!,
      epochs: number(cells[column('epochs')]!),
      seed: number(cells[column('seed')]!),
      command: code(cells[column('command')]!),
    };
  });
}

beforeAll(async () => {
  await tf.setBackend('cpu');
});

test('the table has the four presets of issue 17', () => {
  expect(rows().map((r) => r.preset)).toEqual([
    'fashion-mnist',
    'mnist-lite-3566',
    'fashion-mnist-paper',
    'mnist-paper',
  ]);
});

test.each(rows().map((r) => [r.preset, r]))(
  "%s: published figure and parameters are the registry entry's, epochs and seed the preset's",
  (_, row) => {
    const info = getModelInfo(row.registry);
    expect(info.published?.value).toBe(row.published);
    expect(info.trainableParams).toBe(row.params);
    const preset = PRESETS[row.preset]!.values;
    expect(preset.epochs).toBe(row.epochs);
    expect(preset.seed ?? 0).toBe(row.seed);
    expect(row.command).toBe(`npx wavemix-train --preset ${row.preset}`);
    // The preset trains the registry's architecture (an inline config may differ in dropout only).
    const model = typeof preset.model === 'string' ? createModel(preset.model) : createModel(preset.model as never);
    expect(countTrainableParams(model)).toBe(row.params);
    model.dispose();
    if (typeof preset.model !== 'string') {
      const { dropout: _a, ...architecture } = preset.model as Record<string, unknown>;
      const { dropout: _b, ...registered } = info.config as unknown as Record<string, unknown>;
      expect(architecture).toEqual(expect.objectContaining(registered));
    } else {
      expect(preset.model).toBe(row.registry);
    }
    // A figure is either the reached target or says it was not reached / not run.
    const reproduced = /([\d.]+) %/.exec(row.reproduced);
    if (!reproduced) expect(row.reproduced).toMatch(/not run/);
    else if (Number(reproduced[1]) < row.published) expect(row.reproduced).toMatch(/not reached/);
  },
);
