// Dawn (--backend webgpu tests) reads the Vulkan driver list from the real process environment;
// jest's sandboxed process.env does not reach it, so SwiftShader is set here, in the parent
// before workers start (as packages/kernels-webgpu does). An existing VK_ICD_FILENAMES / VK_DRIVER_FILES wins.
const { existsSync } = require('node:fs');

const SWIFTSHADER_ICD = '/usr/lib/chromium/vk_swiftshader_icd.json';
if (!process.env.VK_ICD_FILENAMES && !process.env.VK_DRIVER_FILES && existsSync(SWIFTSHADER_ICD)) {
  process.env.VK_ICD_FILENAMES = SWIFTSHADER_ICD;
}

module.exports = require('@wavemix/config/jest-preset').preset(__dirname);
