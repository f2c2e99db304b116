/** The `wavemix-train` executable. */
import { main } from './main';

// tfjs-backend-cpu prints a banner recommending tfjs-node on first use; tfjs-node is an optional
// install (it downloads libtensorflow), so the banner is noise in a training log.
const warn = console.warn;
console.warn = (...args: unknown[]) => {
  if (typeof args[0] === 'string' && args[0].includes('looks like you are running TensorFlow.js in Node.js')) return;
  warn(...args);
};

main().then((code) => process.exit(code));
