import { resolve } from 'node:path';
import react from '@vitejs/plugin-react';
import type { Plugin, UserConfig } from 'vite';

// The renderer's Vite configuration: built by electron-vite (electron.vite.config.ts) and served on its
// own with hot reload by `npm run dev` when there is no Electron (scripts/dev.ts).

const CORE_URL = process.env.FIELDBENCH_CORE_URL ?? 'http://127.0.0.1:7333';

/**
 * The dev server only: React Refresh needs an inline preamble script, which the page's strict CSP
 * forbids. Builds keep the strict policy untouched.
 */
function devCsp(): Plugin {
  return {
    name: 'fieldbench-dev-csp',
    apply: 'serve',
    transformIndexHtml: (html) => html.replace("script-src 'self'", "script-src 'self' 'unsafe-inline'"),
  };
}

export const rendererConfig = {
  root: resolve(__dirname, 'renderer'),
  build: {
    outDir: resolve(__dirname, 'out/renderer'),
    rollupOptions: { input: { index: resolve(__dirname, 'renderer/index.html') } },
  },
  plugins: [react(), devCsp()],
  // Served without Electron, the page reaches the operator API and the CRL route of a running headless
  // core (`npm run serve`) at FIELDBENCH_CORE_URL, by default http://127.0.0.1:7333.
  server: {
    proxy: {
      '/api': { target: CORE_URL, ws: true },
      '/pki': { target: CORE_URL },
    },
  },
} satisfies UserConfig;

export default rendererConfig;
