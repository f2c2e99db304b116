/** Importing this module registers the WaveMix kernels for the wasm backend. */
import './register_all';

export * from './base';
