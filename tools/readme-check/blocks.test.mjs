// Self-test of the README block parser: `node --test tools/readme-check/blocks.test.mjs`
// (npm run test:readme runs it first).
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { extractBlocks } from './blocks.mjs';

test('blocks: environments, expectations, preludes, and blocks that declare none', () => {
  const root = mkdtempSync(join(tmpdir(), 'readme-blocks-'));
  try {
    writeFileSync(
      join(root, 'README.md'),
      [
        '# x',
        '```sh',
        'npm install',
        '```',
        '<!-- readme-check prelude: declare const image: ImageData; -->',
        '```ts node expect=wasm expect="[ 1, 2 ]"',
        "console.log('wasm', [1, 2]);",
        '```',
        '```js',
        'run();',
        '```',
        '```ts browser-ish',
        '```',
      ].join('\n'),
    );
    const blocks = extractBlocks(root, join(root, 'README.md'));
    assert.equal(blocks.length, 3); // the sh block is not code to run
    const [node, bare, unknown] = blocks;
    assert.deepEqual(
      {
        line: node.line,
        environment: node.environment,
        expect: node.expect,
        prelude: node.prelude,
        code: node.code,
        problem: node.problem,
      },
      {
        line: 6,
        environment: 'node',
        expect: ['wasm', '[ 1, 2 ]'],
        prelude: 'declare const image: ImageData;',
        code: "console.log('wasm', [1, 2]);",
        problem: undefined,
      },
    );
    assert.match(bare.problem, /^README\.md:9: a ```js block must declare where it runs/);
    assert.match(unknown.problem, /^README\.md:12: /);
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
});
