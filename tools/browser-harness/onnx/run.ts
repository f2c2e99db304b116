/**
 * @wavemix/onnx in a real browser: headless Debian Chromium, onnxruntime-web on wasm and on
 * WebGPU (SwiftShader). Exports two PyTorch fixtures' models in the page and checks the outputs
 * of each execution provider against the official ones (1e-4 relative); fails on any mismatch,
 * any non-local request and any uncaught page error.
 *
 *   node dist/onnx/run.js [--providers wasm,webgpu] [--fixtures a,b]
 */
import { join } from 'node:path';
import { findUp } from '../src/find_up';
import { REPO_ROOT } from '../src/bundle';
import { runPageSuite } from '../src/run_page_suite';

const HARNESS_ROOT = findUp(__dirname, 'onnx/page.ts');
const PAGE = join(HARNESS_ROOT, 'onnx/page.ts');

function argument(name: string, fallback: string): string {
  const index = process.argv.indexOf(`--${name}`);
  return index >= 0 && process.argv[index + 1] ? process.argv[index + 1]! : fallback;
}

async function main(): Promise<number> {
  const started = Date.now();
  const providers = argument('providers', 'wasm,webgpu').split(',');
  const fixtures = argument('fixtures', 'wavemix_l3_patchify_p4,wavemixsr_l1').split(',');
  const report = await runPageSuite({ entry: PAGE, title: 'WaveMix ONNX', root: REPO_ROOT }, (session) =>
    session.page.evaluate(([f, p]) => window.wavemixOnnx.run(f, p), [fixtures, providers] as const),
  );
  console.log(`Chromium ${report.chromiumVersion}, onnxruntime-web`);
  let failed = 0;
  for (const result of report.result) {
    if (!result.ok) failed++;
    const error = result.relativeError == null ? '' : `relative error ${result.relativeError.toExponential(2)}, `;
    console.log(
      `  ${result.ok ? '✓' : '✕'} ${result.fixture} on ${result.provider} (${result.device ?? '?'}): ${error}${result.ms.toFixed(0)} ms`,
    );
    if (result.error) console.log(`      ${result.error.split('\n').slice(0, 6).join('\n      ')}`);
  }
  const problems = [
    ...report.nonLocalRequests.map((url) => `non-local request: ${url}`),
    ...report.pageErrors.map((error) => `uncaught page error: ${error}`),
  ];
  for (const problem of problems) console.log(`  ✕ ${problem}`);
  const total = report.result.length;
  console.log(
    `\nbrowser onnx: ${total - failed} passed, ${failed + problems.length} failed (${((Date.now() - started) / 1000).toFixed(1)} s)`,
  );
  return failed + problems.length === 0 && total === fixtures.length * providers.length ? 0 : 1;
}

main().then(
  (code) => {
    process.exitCode = code;
  },
  (error) => {
    console.error(error);
    process.exit(1);
  },
);
