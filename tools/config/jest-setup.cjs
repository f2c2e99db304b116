// tfjs-backend-cpu prints a banner recommending tfjs-node on first use in Node. tfjs-node cannot be
// installed on our CI machines, so the banner is noise in every test log; everything else passes.
const warn = console.warn;
console.warn = (...args) => {
  if (typeof args[0] === 'string' && args[0].includes('looks like you are running TensorFlow.js in Node.js')) return;
  warn(...args);
};
