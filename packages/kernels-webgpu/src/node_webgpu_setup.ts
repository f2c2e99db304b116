// Side-effect module for jest: installs Dawn's WebGPU before tfjs-backend-webgpu is imported, on
// SwiftShader unless VK_ICD_FILENAMES names another driver. jest cannot load the ESM-only `webgpu`
// entry, so loadDawn() loads its native addon directly.
import { installNodeWebGPU, loadDawn, SWIFTSHADER_ICD } from './node/index';

installNodeWebGPU(loadDawn(), { fallbackIcd: SWIFTSHADER_ICD });
