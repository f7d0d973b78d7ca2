import path from 'node:path';
import { Writable } from 'node:stream';
import pino, { type Logger } from 'pino';
import type { LogEntry } from '../../preload/contract/system';
import { LogRing, levelAtLeast } from './log-ring';
import { redactPaths } from './redaction';
import { RotatingFile } from './rotating-file';

export type LogLevel = LogEntry['level'];
export type { Logger };

export interface LogSetup {
  logger: Logger;
  ring: LogRing;
  close(): void;
}

export interface LoggerOptions {
  level: LogLevel;
  /** Directory for `fieldbench.log`; omitted → no file. */
  dir?: string;
  /** Human-readable lines on stderr at or above this level; omitted → no console output. */
  consoleLevel?: LogLevel;
}

const levelNames: Record<number, LogLevel> = {
  10: 'trace',
  20: 'debug',
  30: 'info',
  40: 'warn',
  50: 'error',
  60: 'fatal',
};
const RESERVED = new Set(['level', 'time', 'pid', 'hostname', 'msg', 'module']);

function toEntry(record: Record<string, unknown>, seq: number): LogEntry {
  const fields: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(record)) if (!RESERVED.has(k)) fields[k] = v;
  return {
    seq,
    time: Number(record.time),
    level: levelNames[Number(record.level)] ?? 'info',
    module: typeof record.module === 'string' ? record.module : undefined,
    msg: String(record.msg ?? ''),
    fields: Object.keys(fields).length > 0 ? fields : undefined,
  };
}

function consoleLine(entry: LogEntry): string {
  const time = new Date(entry.time).toISOString().slice(11, 23);
  const module = entry.module ? ` [${entry.module}]` : '';
  const fields = entry.fields ? ` ${JSON.stringify(entry.fields)}` : '';
  return `${time} ${entry.level.toUpperCase().padEnd(5)}${module} ${entry.msg}${fields}\n`;
}

/** One pino logger whose every line goes to the rotating file, the in-memory ring and (optionally) the console. */
export function createLogger(options: LoggerOptions): LogSetup {
  const ring = new LogRing();
  const file = options.dir ? new RotatingFile(path.join(options.dir, 'fieldbench.log')) : undefined;
  let seq = 0;
  const sink = new Writable({
    write(chunk: Buffer, _encoding, callback) {
      const line = chunk.toString();
      file?.write(line);
      try {
        const entry = toEntry(JSON.parse(line) as Record<string, unknown>, ++seq);
        ring.push(entry);
        if (options.consoleLevel && levelAtLeast(entry.level, options.consoleLevel)) {
          process.stderr.write(consoleLine(entry));
        }
      } catch {
        // a line pino wrote is always JSON; ignore anything else rather than crash logging
      }
      callback();
    },
  });
  const logger = pino(
    {
      level: options.level,
      base: undefined,
      redact: { paths: redactPaths, censor: '[redacted]' },
      serializers: { err: pino.stdSerializers.err },
    },
    sink,
  );
  return {
    logger,
    ring,
    close: () => {
      logger.flush?.();
      file?.close();
    },
  };
}
