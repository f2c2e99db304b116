export { bundleForBrowser, REPO_ROOT, type BundleOptions } from './bundle';
export { CHROMIUM_FLAGS, DEBIAN_CHROMIUM, launchChromium, type LaunchedChromium, type LaunchOptions } from './chromium';
export { isLocalUrl } from './is_local';
export { startLocalServer, type LocalServer, type LocalServerOptions } from './local_server';
export { openPage, type ConsoleEntry, type PageSession } from './page_session';
export { runPageSuite, type PageSuiteOptions, type PageSuiteReport } from './run_page_suite';
