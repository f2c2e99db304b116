/** Importing this module registers the WaveMix kernels for the webgpu backend. */
import './register_all';

export * from './base';
