/** Loopback hosts: what a page served by the harness may talk to. */
const LOOPBACK_HOSTS = new Set(['127.0.0.1', 'localhost', '[::1]', '::1']);

/**
 * True for URLs that never leave the machine: loopback http(s)/ws(s) on any port, and the
 * in-page schemes (data:, blob:, about:, chrome-error: for aborted loads). Everything else
 * counts as a non-local request.
 */
export function isLocalUrl(url: string): boolean {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return false;
  }
  switch (parsed.protocol) {
    case 'data:':
    case 'blob:':
    case 'about:':
    case 'chrome-error:':
      return true;
    case 'http:':
    case 'https:':
    case 'ws:':
    case 'wss:':
      return LOOPBACK_HOSTS.has(parsed.hostname) || /^127\.\d+\.\d+\.\d+$/.test(parsed.hostname);
    default:
      return false;
  }
}
