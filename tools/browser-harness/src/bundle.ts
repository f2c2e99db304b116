import { build } from 'esbuild';
import { resolve } from 'node:path';
import { findUp } from './find_up';

export interface BundleOptions {
  /** TypeScript or JavaScript entry for the page. */
  entry: string;
  /** tsconfig whose `paths` resolve workspace packages (default: the repo's tsconfig.base.json). */
  tsconfig?: string;
  minify?: boolean;
}

/** The monorepo root (where tsconfig.base.json is), found from this file whether built or not. */
export const REPO_ROOT = findUp(__dirname, 'tsconfig.base.json');

/** Bundles page code for the browser with esbuild (ESM, one file, inline source map); no CDN. */
export async function bundleForBrowser(options: BundleOptions): Promise<string> {
  const result = await build({
    entryPoints: [options.entry],
    bundle: true,
    write: false,
    format: 'esm',
    platform: 'browser',
    target: 'es2022',
    sourcemap: 'inline',
    minify: options.minify ?? false,
    tsconfig: options.tsconfig ?? resolve(REPO_ROOT, 'tsconfig.base.json'),
    define: { 'process.env.NODE_ENV': '"production"' },
    logLevel: 'error',
    // Workspace packages resolve to their sources, while their package.json `sideEffects` lists the
    // built dist/ files: without this esbuild would drop `import './register_all'` from a src index.
    ignoreAnnotations: true,
  });
  return result.outputFiles[0]!.text;
}
