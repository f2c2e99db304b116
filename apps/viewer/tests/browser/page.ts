/** Opening the built viewer in a page and reaching its test hook, shared by the browser suites. */
import { openPage } from '@wavemix/browser-harness';
import type { BrowserContext, Page } from 'playwright-core';
import type { Hook } from './reference';

declare const __wavemix: Hook;

/** Waits for the viewer's hook in `page` to say ready, then binds `hook` and `idle` to it. */
export async function viewerHook(page: Page) {
  await page.waitForFunction(
    () => (globalThis as unknown as { __wavemix?: Hook }).__wavemix?.ready === true,
    undefined,
    { timeout: 60_000 },
  );
  const hook = <T>(name: string, ...args: unknown[]) =>
    page.evaluate(([n, a]) => __wavemix[n as string]!(...(a as unknown[])), [name, args] as const) as Promise<T>;
  const idle = () => page.evaluate(() => __wavemix['idle']!());
  return { hook, idle };
}

/** A fresh page of the viewer at `origin` on `backend`, once its hook says ready, with helpers bound to it. */
export async function openViewer(context: BrowserContext, origin: string, backend: string) {
  const session = await openPage(context, `${origin}/?backend=${backend}`);
  const page = session.page;
  return { session, page, ...(await viewerHook(page)) };
}
