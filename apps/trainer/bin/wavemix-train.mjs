#!/usr/bin/env node
// The installed `wavemix-train` command. It is a committed file (not dist/) so that `npm ci` links
// it even before the first build; it runs the built CLI and says how to build when it is missing.
import { existsSync } from 'node:fs';

const cli = new URL('../dist/cli.js', import.meta.url);
if (!existsSync(cli)) {
  console.error(
    'wavemix-train: the trainer is not built yet; run `npm run build` (or `npm start`) in the repository first',
  );
  process.exit(2);
}
await import(cli.href);
