import { parseCli } from '../../../main/cli/options';
import { runHeadless } from '../../../main/cli/run-headless';
import type { Core } from '../../../main/core';

export interface Headless {
  core: Core;
  url: string;
  token: string;
  readyLine: string;
  stop(): Promise<void>;
}

/** Runs `fieldbench serve` in this process on loopback and free ports; resolves with its ready line's URL and token. */
export async function serveHeadless(dataDir: string, ...extra: string[]): Promise<Headless> {
  const options = parseCli([
    'serve',
    '--data-dir',
    dataDir,
    '--http-port',
    '0',
    '--broker-host',
    '127.0.0.1',
    '--mqtt-port',
    '0',
    '--log-level',
    'error',
    ...extra,
  ]);
  const printed: string[] = [];
  const log = console.log;
  console.log = (...args: unknown[]) => printed.push(args.join(' '));
  let started: Awaited<ReturnType<typeof runHeadless>>;
  try {
    started = await runHeadless(options);
  } finally {
    console.log = log;
  }
  const readyLine = printed.find((l) => l.startsWith('Fieldbench ready'))!;
  const match = /open (\S+)#token=([A-Za-z0-9_-]+)/.exec(readyLine)!;
  return { core: started.core, url: match[1]!, token: match[2]!, readyLine, stop: started.stop };
}
