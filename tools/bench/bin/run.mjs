// Shared by the bench commands: they are committed files (not dist/) so that `npm ci` links them
// before the first build; each runs its built script, or says how to build it.
import { existsSync } from 'node:fs';

export async function runBuilt(name, script) {
  const target = new URL(`../dist/${script}`, import.meta.url);
  if (!existsSync(target)) {
    console.error(`${name}: not built yet; run \`npm run build\` in the repository first`);
    process.exit(2);
  }
  await import(target.href);
}
