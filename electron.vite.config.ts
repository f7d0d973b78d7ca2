import { resolve } from 'node:path';
import { defineConfig } from 'electron-vite';
import { NODE_RUNTIME_FLAGS } from './main/cli/runtime-flags';
import { rendererConfig } from './renderer.vite.config';

const root = __dirname;

// electron-vite reads Electron's version to pick build targets. Electron is optional and often absent
// (its binary cannot always be downloaded), so fall back to the major version we declare.
try {
  require.resolve('electron/package.json');
} catch {
  const declared = require('./package.json').optionalDependencies?.electron ?? '41';
  process.env.ELECTRON_MAJOR_VER ??= String(declared).replace(/^\D*/, '').split('.')[0];
}

export default defineConfig({
  main: {
    build: {
      outDir: 'out/main',
      rollupOptions: {
        input: {
          index: resolve(root, 'main/app/electron-main.ts'),
          cli: resolve(root, 'main/cli/index.ts'),
        },
        output: {
          banner: (chunk) =>
            chunk.name === 'cli' ? `#!/usr/bin/env -S node ${NODE_RUNTIME_FLAGS.join(' ')}` : '',
        },
      },
    },
  },
  preload: {
    build: {
      outDir: 'out/preload',
      rollupOptions: {
        input: { index: resolve(root, 'preload/index.ts') },
        // A sandboxed preload must be one self-contained CommonJS file.
        output: { format: 'cjs', entryFileNames: '[name].js' },
        external: ['electron'],
      },
      externalizeDeps: false,
    },
  },
  renderer: rendererConfig,
});
