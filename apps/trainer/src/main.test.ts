import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { configFromFlags, main } from './main';

function capture() {
  const lines: string[] = [];
  const output = {
    log: (...a: unknown[]) => lines.push(a.join(' ')),
    error: (...a: unknown[]) => lines.push(a.join(' ')),
  };
  return { lines, output, text: () => lines.join('\n') };
}

const run = async (...args: string[]) => {
  const io = capture();
  const code = await main(['node', 'wavemix-train', ...args], io.output);
  return { code, text: io.text() };
};

test('bad flags are usage errors (exit 2) that say what to fix', async () => {
  expect(await run('--epochs', 'abc')).toMatchObject({
    code: 2,
    text: expect.stringMatching(/--epochs must be an integer >= 1, got 'abc'/),
  });
  expect(await run('--lr', '-1')).toMatchObject({
    code: 2,
    text: expect.stringMatching(/--lr must be a positive number/),
  });
  expect(await run('--opt', 'adam')).toMatchObject({
    code: 2,
    text: expect.stringMatching(/Allowed choices are adamw, sgd, dualopt/),
  });
  expect(await run('--bogus')).toMatchObject({ code: 2, text: expect.stringMatching(/unknown option '--bogus'/) });
  expect(await run('--preset', 'nope')).toMatchObject({
    code: 2,
    text: expect.stringMatching(/unknown preset 'nope'; choose one of mnist-quick, mnist/),
  });
  expect(await run('--dataset', 'mnist')).toMatchObject({ code: 2, text: expect.stringMatching(/model: /) });
  expect(await run('--model', '/nonexistent/model.json', '--dataset', 'mnist')).toMatchObject({
    code: 2,
    text: expect.stringMatching(/config file not found: \/nonexistent\/model\.json/),
  });
  expect(await run('--resume', '/nonexistent-run')).toMatchObject({
    code: 2,
    text: expect.stringMatching(/not a run folder/),
  });
});

test('a dataset that needs files fails clearly when they are missing', async () => {
  const output = mkdtempSync(join(tmpdir(), 'run-'));
  const result = await run('--preset', 'cifar10', '--backend', 'cpu', '--output', output);
  expect(result.code).toBe(2);
  expect(result.text).toMatch(/dataset cifar10 \(train\): .*--data-dir/);
});

test('listing presets and models', async () => {
  expect(await run('--list-presets')).toMatchObject({
    code: 0,
    text: expect.stringMatching(/^mnist-quick .*\nmnist /m),
  });
  expect(await run('--list-models')).toMatchObject({
    code: 0,
    text: expect.stringMatching(/cifar10-wavemix-lite-64-6 +classification +520,106/),
  });
});

test('--workers: auto by default (spare cores, shards of >= 16 images), explicit counts kept', () => {
  expect(configFromFlags({ preset: 'mnist', workers: 0 }).workers).toBe(0);
  expect(configFromFlags({ preset: 'mnist', workers: 3 }).workers).toBe(3);
  const auto = configFromFlags({ preset: 'mnist' }).workers;
  expect(auto).toBe(configFromFlags({ preset: 'mnist', workers: 'auto' }).workers);
  expect(auto).toBe(Math.min(require('node:os').availableParallelism() - 1, 3));
  expect(configFromFlags({ preset: 'mnist', batchSize: 16 }).workers).toBe(0);
});

test('precedence: preset < flags; model files and presets resolve', () => {
  const config = configFromFlags({ preset: 'mnist', epochs: 9, seed: 4 });
  expect(config).toMatchObject({ dataset: 'mnist', epochs: 9, seed: 4, output: 'runs/mnist' });
  expect(typeof config.model).toBe('object');
});

test('--max-steps and --test-limit (issue 14): validated, mapped to maxSteps and limitTest', async () => {
  expect(await run('--preset', 'mnist-quick', '--max-steps', '0')).toMatchObject({
    code: 2,
    text: expect.stringMatching(/--max-steps must be an integer >= 1, got '0'/),
  });
  expect(await run('--preset', 'mnist-quick', '--test-limit', 'x')).toMatchObject({
    code: 2,
    text: expect.stringMatching(/--test-limit must be an integer >= 1/),
  });
  expect(configFromFlags({ preset: 'mnist-quick', maxSteps: 20, testLimit: 256 })).toMatchObject({
    maxSteps: 20,
    limitTest: 256,
  });
});

test("--max-steps replaces a preset's wasm time budget; an explicit --time-limit still applies", () => {
  expect(configFromFlags({ preset: 'mnist-quick' }).timeLimitMinutes).toBe(3.3);
  const capped = configFromFlags({ preset: 'mnist-quick', maxSteps: 20 });
  expect(capped).toMatchObject({ maxSteps: 20 });
  expect(capped.timeLimitMinutes).toBeUndefined();
  expect(configFromFlags({ preset: 'mnist-quick', maxSteps: 20, timeLimit: 9 })).toMatchObject({
    maxSteps: 20,
    timeLimitMinutes: 9,
  });
});
