import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { rotateOperatorToken } from '../api';
import { ConfigError, resolveDataDir } from '../core';
import { StoreError } from '../store';
import { detectDesktop } from './desktop-detect';
import { type CliOptions, HELP_TEXT, parseCli, UsageError } from './options';
import { runHeadless } from './run-headless';
import { runSimulateProvisioning } from './simulate-provisioning';
import { runSimulateSerialGateway } from './simulate-serial-gateway';
import { electronJsFlagsArg } from './runtime-flags';
import { runSimulateGateways } from './simulate-gateways';
import { readAppVersion } from '../core';

function launchDesktop(electronPath: string, argv: readonly string[]): void {
  const appDir = path.resolve(__dirname, '../..');
  const child = spawn(electronPath, [electronJsFlagsArg(), appDir, ...argv], { stdio: 'inherit' });
  const forward = (signal: NodeJS.Signals) => child.kill(signal);
  process.on('SIGINT', forward);
  process.on('SIGTERM', forward);
  child.on('exit', (code, signal) => process.exit(code ?? (signal ? 1 : 0)));
}

async function main(argv: readonly string[]): Promise<void> {
  if (argv[0] === 'simulate-gateways') {
    return runSimulateGateways(argv.slice(1)).catch((err: unknown) => {
      console.error(`fieldbench simulate-gateways: ${(err as Error).message}`);
      process.exitCode = 1;
    });
  }
  if (argv[0] === 'simulate-provisioning') {
    try {
      process.exitCode = await runSimulateProvisioning(argv.slice(1));
    } catch (err) {
      console.error(`fieldbench simulate-provisioning: ${(err as Error).message}`);
      process.exitCode = 2;
    }
    return;
  }
  if (argv[0] === 'simulate-serial-gateway') {
    try {
      process.exitCode = await runSimulateSerialGateway(argv.slice(1));
    } catch (err) {
      console.error(`fieldbench simulate-serial-gateway: ${(err as Error).message}`);
      process.exitCode = 2;
    }
    return;
  }
  let options: CliOptions;
  try {
    options = parseCli(argv);
  } catch (err) {
    if (err instanceof UsageError) {
      console.error(`fieldbench: ${err.message}\nRun "fieldbench --help" for the list of options.`);
      process.exit(2);
    }
    throw err;
  }
  if (options.help) {
    process.stdout.write(HELP_TEXT);
    return;
  }
  if (options.version) {
    console.log(readAppVersion());
    return;
  }
  if (options.command === 'token-rotate') {
    const dataDir = resolveDataDir(options.dataDir);
    if (!fs.existsSync(dataDir)) {
      console.error(`fieldbench: there is no data directory at ${dataDir}.`);
      process.exit(1);
    }
    const token = rotateOperatorToken(dataDir);
    console.log(`New operator token for ${dataDir}: ${token}`);
    console.log('Sessions opened with the old token end; open the UI again with #token=<new token>.');
    return;
  }
  if (!options.forceHeadless) {
    const desktop = detectDesktop();
    if (desktop.available) {
      launchDesktop(desktop.electronPath, argv);
      return;
    }
    if (options.forceDesktop) {
      console.error(`fieldbench: --desktop was requested, but ${desktop.reason}.`);
      process.exit(1);
    }
    console.log(`Starting headless: ${desktop.reason}.`);
  }
  try {
    await runHeadless(options);
  } catch (err) {
    if (
      err instanceof StoreError ||
      err instanceof ConfigError ||
      (err as Error).message?.includes('already in use')
    ) {
      console.error(`fieldbench: ${(err as Error).message}`);
      process.exit(1);
    }
    throw err;
  }
}

main(process.argv.slice(2)).catch((err) => {
  console.error('fieldbench: unexpected error:', err);
  process.exit(1);
});
