// `npm run dev`: electron-vite's dev server with hot reload. With Electron installed it opens the desktop
// window; without it (or with --web) it serves only the renderer, which talks to a running headless core.
import { spawn } from 'node:child_process';
import { createRequire } from 'node:module';
import path from 'node:path';

function electronAvailable(): boolean {
  try {
    // The electron package exports the path of its binary and throws when the binary was not downloaded.
    return typeof createRequire(path.join(process.cwd(), 'package.json'))('electron') === 'string';
  } catch {
    return false;
  }
}

const args = process.argv.slice(2);
const web = args.includes('--web') || !electronAvailable();
const passThrough = args.filter((a) => a !== '--web');
if (web) {
  const core = process.env.FIELDBENCH_CORE_URL ?? 'http://127.0.0.1:7333';
  console.log(
    `Serving the renderer only, against the core at ${core} (FIELDBENCH_CORE_URL).\n` +
      'Start the core in another terminal with `npm run serve`, then open the address printed below\n' +
      'followed by the #token=… part of the core’s ready line.',
  );
}
const command = web
  ? ['vite', '--config', 'renderer.vite.config.ts', ...passThrough]
  : ['electron-vite', 'dev', ...passThrough];
const child = spawn('npx', command, { stdio: 'inherit' });
child.on('exit', (code) => process.exit(code ?? 1));
