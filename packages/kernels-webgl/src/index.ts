/** Importing this module registers the WaveMix kernels for the webgl backend. */
import './register_all';

export * from './base';
