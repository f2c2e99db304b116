/** Re-exported from core, where every backend's kernel errors live. */
export { WaveMixShaderError } from '@wavemix/core';
