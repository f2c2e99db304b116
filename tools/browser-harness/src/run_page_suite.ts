import { bundleForBrowser } from './bundle';
import { launchChromium, type LaunchOptions } from './chromium';
import { startLocalServer } from './local_server';
import { openPage, type ConsoleEntry, type PageSession } from './page_session';

export interface PageSuiteOptions {
  /** Page code, bundled with esbuild and served as /page.js. */
  entry: string;
  title?: string;
  /** Served under / beside the page (data files, models). */
  root?: string;
  launch?: LaunchOptions;
  /** The page sets `window[readyGlobal]` once it has loaded (default `wavemixPageReady`). */
  readyGlobal?: string;
}

export interface PageSuiteReport<T> {
  result: T;
  chromiumVersion: string;
  requests: string[];
  nonLocalRequests: string[];
  pageErrors: string[];
  console: ConsoleEntry[];
}

/**
 * Bundles `entry`, serves it from 127.0.0.1, opens it in headless Chromium and hands the page to
 * `body`; cleans everything up afterwards. The report carries what the page did on the network
 * and in the console, for the caller to judge (see `PageSession.assertClean`).
 */
export async function runPageSuite<T>(
  options: PageSuiteOptions,
  body: (session: PageSession) => Promise<T>,
): Promise<PageSuiteReport<T>> {
  const script = await bundleForBrowser({ entry: options.entry });
  const html =
    `<!doctype html><html><head><meta charset="utf-8"><title>${options.title ?? 'WaveMix.js'}</title></head>` +
    `<body><script type="module" src="/page.js"></script></body></html>`;
  const server = await startLocalServer({ files: { '/index.html': html, '/page.js': script }, root: options.root });
  const browser = await launchChromium(options.launch).catch(async (error: Error) => {
    await server.close();
    throw error;
  });
  try {
    const session = await openPage(browser.context, `${server.origin}/`);
    const ready = options.readyGlobal ?? 'wavemixPageReady';
    await Promise.race([
      session.page.waitForFunction((name) => (globalThis as Record<string, unknown>)[name] === true, ready, {
        timeout: 60_000,
      }),
      new Promise((_, fail) =>
        session.page.once('pageerror', (error) =>
          fail(new Error(`the page failed to load: ${error.stack ?? error.message}`)),
        ),
      ),
    ]);
    const result = await body(session);
    return {
      result,
      chromiumVersion: browser.version,
      requests: session.requests,
      nonLocalRequests: session.nonLocalRequests,
      pageErrors: session.pageErrors,
      console: session.console,
    };
  } finally {
    await browser.close();
    await server.close();
  }
}
