// Backend choice (issue 14): `auto` never trains on a software GPU adapter, even when software
// adapters are allowed for an explicit --backend webgpu.
import { existsSync } from 'node:fs';
import { probeWebGPUAdapter, SWIFTSHADER_ICD } from '@wavemix/kernels-webgpu/node';
import { selectBackend } from './backend';

const maybe = existsSync(SWIFTSHADER_ICD) ? test : test.skip;

maybe('auto passes over SwiftShader (the only adapter here) and picks the wasm training backend', async () => {
  // Dawn does see SwiftShader (jest.config.cjs points the Vulkan loader at it), as a software adapter.
  expect(await probeWebGPUAdapter({ vulkanIcd: SWIFTSHADER_ICD })).toMatchObject({
    software: true,
    device: expect.stringMatching(/swiftshader/),
  });
  const selected = await selectBackend('auto', { vulkanIcd: SWIFTSHADER_ICD, allowSoftwareGpu: true });
  expect(selected).toEqual({ name: 'wasm', adapter: null });
});

maybe('--backend webgpu without --allow-software-gpu is a usage error naming the adapter and the flag', async () => {
  await expect(selectBackend('webgpu', { vulkanIcd: SWIFTSHADER_ICD })).rejects.toThrow(
    /swiftshader.*software.*--allow-software-gpu/is,
  );
});
