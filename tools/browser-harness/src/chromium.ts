import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type BrowserContext } from 'playwright-core';

/** Debian's `chromium` package; the harness never downloads a browser. */
export const DEBIAN_CHROMIUM = '/usr/bin/chromium';

/**
 * WebGL2 and WebGPU on SwiftShader (a CPU implementation, so this works without a GPU), and no
 * background traffic of Chromium's own.
 */
export const CHROMIUM_FLAGS = [
  '--headless',
  '--no-sandbox',
  '--enable-unsafe-webgpu',
  '--use-webgpu-adapter=swiftshader',
  '--enable-unsafe-swiftshader',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
  '--disable-quic',
];

export interface LaunchOptions {
  executablePath?: string;
  /** Added after CHROMIUM_FLAGS. */
  extraArgs?: string[];
}

export interface LaunchedChromium {
  readonly context: BrowserContext;
  readonly version: string;
  close(): Promise<void>;
}

/** Starts headless Chromium with a fresh profile directory, removed again on close. */
export async function launchChromium(options: LaunchOptions = {}): Promise<LaunchedChromium> {
  const userDataDir = mkdtempSync(join(tmpdir(), 'wavemix-chromium-'));
  try {
    // launchPersistentContext passes --user-data-dir itself (playwright refuses it in args).
    const context = await chromium.launchPersistentContext(userDataDir, {
      executablePath: options.executablePath ?? process.env.WAVEMIX_CHROMIUM ?? DEBIAN_CHROMIUM,
      headless: true,
      args: [...CHROMIUM_FLAGS, ...(options.extraArgs ?? [])],
      timeout: 60_000,
    });
    return {
      context,
      version: context.browser()?.version() ?? 'unknown',
      close: async () => {
        await context.close().catch(() => undefined);
        rmSync(userDataDir, { recursive: true, force: true });
      },
    };
  } catch (error) {
    rmSync(userDataDir, { recursive: true, force: true });
    throw error;
  }
}
