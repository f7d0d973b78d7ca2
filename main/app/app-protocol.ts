import fs from 'node:fs';
import path from 'node:path';
import { SECURITY_HEADERS } from '../api';
import type { ElectronMain } from './electron-api';
import { APP_HOST, APP_SCHEME } from './window-options';

const contentTypes: Record<string, string> = {
  '.html': 'text/html',
  '.js': 'text/javascript',
  '.css': 'text/css',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
};

/** Must run before the app is ready. */
export function registerAppScheme(electron: ElectronMain): void {
  electron.protocol.registerSchemesAsPrivileged([
    { scheme: APP_SCHEME, privileges: { standard: true, secure: true, supportFetchAPI: true } },
  ]);
}

/** Serves the built renderer from `app://fieldbench/`, never from a remote origin. */
export function serveAppScheme(electron: ElectronMain, rendererDir: string): void {
  electron.protocol.handle(APP_SCHEME, (request) => {
    const url = new URL(request.url);
    if (url.host !== APP_HOST) return new Response('Not found', { status: 404 });
    let file = path.join(rendererDir, path.normalize(decodeURIComponent(url.pathname)));
    if (!file.startsWith(rendererDir)) return new Response('Forbidden', { status: 403 });
    if (!fs.existsSync(file) || fs.statSync(file).isDirectory()) file = path.join(rendererDir, 'index.html');
    return new Response(fs.readFileSync(file), {
      headers: {
        ...SECURITY_HEADERS,
        'Content-Type': contentTypes[path.extname(file)] ?? 'application/octet-stream',
      },
    });
  });
}
