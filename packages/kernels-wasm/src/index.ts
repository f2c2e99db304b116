/** Importing this module registers the WaveMix kernels and the training kernels for the wasm backend. */
import './register_all';

export * from './base';
export { setupFastestNodeBackend, useWasmTraining } from './setup';
