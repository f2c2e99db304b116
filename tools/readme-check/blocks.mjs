// Code blocks of the READMEs and the environment each declares in its info string:
//   ```ts node          an ES module run in Node against the packed tarballs
//   ```js node-cjs      a CommonJS script run in Node
//   ```ts browser       bundled and run in headless Chromium (WebGL2/WebGPU on SwiftShader)
//   ```ts illustrative  not run (needs hardware, data or a service we do not have): type-checked only
// After the environment, `expect="text"` (repeatable) requires the block's output (stdout in Node,
// console messages in the browser) to contain that text, so a snippet that runs but does the wrong
// thing (e.g. silently on another backend) fails too.
// An HTML comment right above a block, `<!-- readme-check prelude: CODE -->`, is prepended to it
// (hidden declarations, e.g. of an image the page already has). TypeScript blocks of every kind
// are type-checked; a TS/JS block without one of these environments is an error.
import { readFileSync, readdirSync, existsSync } from 'node:fs';
import { join, relative } from 'node:path';

export const ENVIRONMENTS = ['node', 'node-cjs', 'browser', 'illustrative'];
const CODE_LANGUAGES = new Set(['ts', 'typescript', 'js', 'javascript', 'mjs', 'cjs', 'tsx', 'jsx']);

/** README.md at the root and in every package (apps and tools have their own tests). */
export function readmeFiles(root) {
  const files = [join(root, 'README.md')];
  for (const dir of readdirSync(join(root, 'packages')).sort()) {
    const file = join(root, 'packages', dir, 'README.md');
    if (existsSync(file)) files.push(file);
  }
  return files;
}

/**
 * Every fenced block of `file`: { file, line, language, environment, code, prelude, id }, with
 * `problem` set for a TS/JS block that declares no (or an unknown) environment.
 */
export function extractBlocks(root, file) {
  const lines = readFileSync(file, 'utf8').split('\n');
  const name = relative(root, file);
  const blocks = [];
  for (let i = 0; i < lines.length; i++) {
    const open = /^(\s*)(`{3,}|~{3,})\s*([\w-]*)\s*(.*)$/.exec(lines[i]);
    if (!open) continue;
    const [, indent, fence, language, rest] = open;
    const body = [];
    let j = i + 1;
    while (j < lines.length && !lines[j].trimStart().startsWith(fence)) body.push(lines[j++].slice(indent.length));
    const line = i + 1;
    i = j;
    if (!CODE_LANGUAGES.has(language.toLowerCase())) continue;
    const environment = rest.trim().split(/\s+/)[0] ?? '';
    // `expect="text"` / `expect=text` after the environment: the block's output must contain it.
    const expect = [...rest.matchAll(/\bexpect=(?:"([^"]*)"|(\S+))/g)].map((m) => m[1] ?? m[2]);
    const prelude = preludeAbove(lines, line - 1);
    const block = {
      file: name,
      line,
      language: language.toLowerCase(),
      environment,
      expect,
      code: body.join('\n'),
      prelude,
      id: `${name.replace(/[^\w]+/g, '_')}_L${line}`,
    };
    if (!ENVIRONMENTS.includes(environment)) {
      block.problem = `${name}:${line}: a \`\`\`${language} block must declare where it runs: \`\`\`${language} ${ENVIRONMENTS.join(' | ')}`;
    }
    blocks.push(block);
  }
  return blocks;
}

/** The `<!-- readme-check prelude: ... -->` comment ending on the line above `fenceIndex`, if any. */
function preludeAbove(lines, fenceIndex) {
  const end = fenceIndex - 1;
  if (end < 0 || !lines[end].trimEnd().endsWith('-->')) return '';
  let start = end;
  while (start >= 0 && !lines[start].includes('<!--')) start--;
  const comment = lines.slice(start, end + 1).join('\n');
  const match = /<!--\s*readme-check prelude:([\s\S]*?)-->/.exec(comment);
  return match ? match[1].trim() : '';
}

export const isTypeScript = (block) => ['ts', 'typescript', 'tsx'].includes(block.language);
