/**
 * Importing this module registers the WaveMix kernels for the `tensorflow` backend, the one
 * @tensorflow/tfjs-node and @tensorflow/tfjs-node-gpu provide. It does not load either package.
 */
import './register_all';

export * from './base';
