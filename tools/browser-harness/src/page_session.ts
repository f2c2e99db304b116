import type { BrowserContext, Page } from 'playwright-core';
import { isLocalUrl } from './is_local';

export interface ConsoleEntry {
  type: string;
  text: string;
}

export interface PageSession {
  readonly page: Page;
  /** Every URL the page asked for. */
  readonly requests: string[];
  /** Distinct URLs not on this machine that the page asked for; they were aborted, and they fail the run. */
  readonly nonLocalRequests: string[];
  readonly console: ConsoleEntry[];
  /** Uncaught exceptions in the page. */
  readonly pageErrors: string[];
  /** Throws when the page requested anything non-local or threw an uncaught exception. */
  assertClean(): void;
  close(): Promise<void>;
}

/**
 * Opens `url` in a new page that may only reach loopback addresses: every other request is
 * recorded and aborted before it leaves the browser. Console output and page errors are kept.
 */
export async function openPage(context: BrowserContext, url: string): Promise<PageSession> {
  const requests: string[] = [];
  const nonLocalRequests: string[] = [];
  const consoleEntries: ConsoleEntry[] = [];
  const pageErrors: string[] = [];
  await context.route('**/*', async (route) => {
    const target = route.request().url();
    if (isLocalUrl(target)) {
      await route.continue();
    } else {
      if (!nonLocalRequests.includes(target)) nonLocalRequests.push(target);
      await route.abort('blockedbyclient');
    }
  });
  const page = await context.newPage();
  page.on('request', (request) => {
    requests.push(request.url());
    // Requests that bypass routing (e.g. from workers in some versions) are still checked.
    if (!isLocalUrl(request.url()) && !nonLocalRequests.includes(request.url())) nonLocalRequests.push(request.url());
  });
  page.on('console', (message) => consoleEntries.push({ type: message.type(), text: message.text() }));
  page.on('pageerror', (error) => pageErrors.push(error.stack ?? error.message));
  await page.goto(url, { waitUntil: 'load' });
  return {
    page,
    requests,
    nonLocalRequests,
    console: consoleEntries,
    pageErrors,
    assertClean() {
      const problems = [
        ...nonLocalRequests.map((u) => `non-local request: ${u}`),
        ...pageErrors.map((e) => `uncaught page error: ${e}`),
      ];
      if (problems.length) throw new Error(`the page was not clean:\n  ${problems.join('\n  ')}`);
    },
    close: () => page.close(),
  };
}
