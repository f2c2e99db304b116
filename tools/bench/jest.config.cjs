// Dawn reads the Vulkan driver list from the real process environment (jest's sandboxed
// process.env does not reach it): the webgpu tests (step_probe) default to SwiftShader here.
const { existsSync } = require('node:fs');

const SWIFTSHADER_ICD = '/usr/lib/chromium/vk_swiftshader_icd.json';
if (!process.env.VK_ICD_FILENAMES && !process.env.VK_DRIVER_FILES && existsSync(SWIFTSHADER_ICD)) {
  process.env.VK_ICD_FILENAMES = SWIFTSHADER_ICD;
}

module.exports = require('@wavemix/config/jest-preset').preset(__dirname);
