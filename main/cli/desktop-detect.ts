import fs from 'node:fs';
import { createRequire } from 'node:module';

export type DesktopAvailability =
  | { available: true; electronPath: string }
  | { available: false; reason: string };

/** Whether the Electron binary is installed and there is a display to open a window on. */
export function detectDesktop(
  env: NodeJS.ProcessEnv = process.env,
  platform = process.platform,
): DesktopAvailability {
  let electronPath: string;
  try {
    // In plain Node, the electron package exports the path of its binary.
    const required: unknown = createRequire(__filename)('electron');
    if (typeof required !== 'string') throw new Error('unexpected electron export');
    electronPath = required;
  } catch {
    return {
      available: false,
      reason:
        'Electron is not installed (it is an optional dependency and its binary could not be downloaded)',
    };
  }
  if (!fs.existsSync(electronPath)) {
    return { available: false, reason: `the Electron binary is missing at ${electronPath}` };
  }
  if (platform === 'linux' && !env.DISPLAY && !env.WAYLAND_DISPLAY) {
    return { available: false, reason: 'no display was found (DISPLAY and WAYLAND_DISPLAY are unset)' };
  }
  return { available: true, electronPath };
}
