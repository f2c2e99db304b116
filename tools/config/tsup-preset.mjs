// Shared tsup configuration: ESM + CJS + declarations for each entry, tfjs and workspace
// packages left external so a user's single copy of tfjs is the one our code registers into.
/** @param {Record<string, string>} entry @param {import('tsup').Options} [overrides] */
export function preset(entry, overrides = {}) {
  const { esbuildOptions: packageEsbuildOptions, ...rest } = overrides;
  return {
    entry,
    format: ['esm', 'cjs'],
    dts: { compilerOptions: { paths: {}, composite: false } },
    sourcemap: true,
    clean: true,
    target: 'es2022',
    platform: 'neutral',
    splitting: true,
    treeshake: false,
    external: [/^@tensorflow\//, /^@wavemix\//, /^node:/],
    tsconfig: 'tsconfig.json',
    ...rest,
    esbuildOptions(options, context) {
      // package.json `sideEffects` describes the shipped dist/ files; applied to the src/ modules
      // being bundled here it would drop side-effect imports such as `import './register_all'`.
      options.ignoreAnnotations = true;
      packageEsbuildOptions?.(options, context);
    },
  };
}
