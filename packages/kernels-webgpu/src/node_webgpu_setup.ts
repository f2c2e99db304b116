// Side-effect module for jest: installs Dawn's WebGPU before tfjs-backend-webgpu is imported.
// jest cannot load the ESM-only `webgpu` entry, so this loads its native addon (the same file that
// entry loads) with process.dlopen.
import { dirname, join } from 'node:path';
import { installNodeWebGPU, SWIFTSHADER_ICD, type WebGPUModule } from './node_webgpu';

const platform = process.platform === 'darwin' ? 'darwin-universal' : `${process.platform}-${process.arch}`;
const addon = join(dirname(require.resolve('webgpu/package.json')), 'dist', platform, 'dawn.node');
const dawn = { exports: {} as WebGPUModule };
process.dlopen(dawn, addon);
installNodeWebGPU(dawn.exports, { fallbackIcd: SWIFTSHADER_ICD });
