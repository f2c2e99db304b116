import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { autoWorkers, buildConfig, configHash, describeConfigDifferences, readConfigFile, DEFAULTS } from './config';
import { UsageError } from './errors';

const base = { source: 'test', values: { model: 'mnist-wavemix-lite-8-10', dataset: 'mnist' } };

test('later layers win; unspecified fields take the defaults', () => {
  const config = buildConfig([
    base,
    { source: 'file', values: { epochs: 3, lr: 0.01 } },
    { source: 'flags', values: { lr: 0.5 } },
  ]);
  expect(config.epochs).toBe(3);
  expect(config.lr).toBe(0.5);
  expect(config.batchSize).toBe(DEFAULTS.batchSize);
});

test('invalid values are usage errors naming the source and the field', () => {
  expect(() => buildConfig([base, { source: 'run.yaml', values: { epochs: -1 } }])).toThrow(UsageError);
  expect(() => buildConfig([base, { source: 'run.yaml', values: { epochs: -1 } }])).toThrow(/run\.yaml: epochs: /);
  expect(() => buildConfig([base, { source: 'flags', values: { opt: 'adam' } }])).toThrow(/flags: opt: /);
  expect(() => buildConfig([base, { source: 'x.json', values: { bogus: 1 } }])).toThrow(/x\.json: .*bogus/);
  expect(() => buildConfig([{ source: 'flags', values: { dataset: 'mnist' } }])).toThrow(/model: /);
});

test('YAML and JSON config files load; bad files name themselves', () => {
  const dir = mkdtempSync(join(tmpdir(), 'cfg-'));
  writeFileSync(join(dir, 'run.yaml'), 'epochs: 7\nopt: dualopt\n');
  writeFileSync(join(dir, 'run.json'), '{"epochs": 8}');
  writeFileSync(join(dir, 'bad.json'), '{"epochs": ');
  writeFileSync(join(dir, 'list.yaml'), '- 1\n- 2\n');
  expect(readConfigFile(join(dir, 'run.yaml'))).toEqual({ epochs: 7, opt: 'dualopt' });
  expect(readConfigFile(join(dir, 'run.json'))).toEqual({ epochs: 8 });
  expect(() => readConfigFile(join(dir, 'bad.json'))).toThrow(/cannot parse .*bad\.json/);
  expect(() => readConfigFile(join(dir, 'list.yaml'))).toThrow(/list\.yaml must contain an object.*array/);
  expect(() => readConfigFile(join(dir, 'missing.yaml'))).toThrow(/config file not found/);
});

test('the config hash ignores operational fields and names computational differences', () => {
  const a = buildConfig([base, { source: 'x', values: { output: 'runs/a', logEvery: 5 } }]);
  const b = buildConfig([base, { source: 'x', values: { output: 'runs/b', backend: 'cpu' } }]);
  const c = buildConfig([base, { source: 'x', values: { lr: 0.01, seed: 3 } }]);
  expect(configHash(a)).toBe(configHash(b));
  expect(configHash(a)).not.toBe(configHash(c));
  const saved = JSON.parse(JSON.stringify({ ...a, output: undefined }));
  expect(describeConfigDifferences(saved, c)).toEqual([
    'lr: checkpoint has 0.001, now 0.01',
    'seed: checkpoint has 0, now 3',
  ]);
});

test('auto workers: one per spare core, at least 16 images per shard, at most 7', () => {
  expect(autoWorkers(64, 2)).toBe(1);
  expect(autoWorkers(64, 16)).toBe(3);
  expect(autoWorkers(512, 16)).toBe(7);
  expect(autoWorkers(16, 8)).toBe(0);
  expect(autoWorkers(128, 1)).toBe(0);
});
