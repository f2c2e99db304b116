/** Importing this module registers the WaveMix kernels for the cpu backend. */
import './register_all';

export * from './base';
