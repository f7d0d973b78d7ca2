import { z } from 'zod';
import { event, method } from './define';

export const logLevels = ['trace', 'debug', 'info', 'warn', 'error', 'fatal'] as const;
export const logLevelSchema = z.enum(logLevels);

export const logEntrySchema = z.object({
  seq: z.number().int(),
  time: z.number(),
  level: logLevelSchema,
  module: z.string().optional(),
  msg: z.string(),
  fields: z.record(z.string(), z.unknown()).optional(),
});
export type LogEntry = z.infer<typeof logEntrySchema>;

export const systemInfoSchema = z.object({
  name: z.string(),
  version: z.string(),
  mode: z.enum(['desktop', 'headless']),
  dataDir: z.string(),
  databasePath: z.string(),
  databaseSizeBytes: z.number(),
  schemaVersion: z.number().int(),
  latestSchemaVersion: z.number().int(),
  startedAt: z.number(),
  node: z.string(),
  platform: z.string(),
  pid: z.number().int(),
  /** Node/V8 options the process was started with (process.execArgv). */
  runtimeFlags: z.array(z.string()),
});
export type SystemInfo = z.infer<typeof systemInfoSchema>;

export const systemStatsSchema = z.object({
  uptimeSeconds: z.number(),
  memory: z.object({ rss: z.number(), heapUsed: z.number(), heapTotal: z.number(), external: z.number() }),
  databaseSizeBytes: z.number(),
  eventsDropped: z.number().int(),
});
export type SystemStats = z.infer<typeof systemStatsSchema>;

export const systemMethods = {
  'system.info': method(
    z.object({}).strict(),
    systemInfoSchema,
    'Version, data directory and database facts.',
  ),
  'system.stats': method(z.object({}).strict(), systemStatsSchema, 'Uptime, memory and event counters now.'),
  'system.logs': method(
    z
      .object({
        minLevel: logLevelSchema.default('info'),
        limit: z.number().int().min(1).max(2000).default(500),
      })
      .strict(),
    z.object({ entries: z.array(logEntrySchema) }),
    'The most recent log entries kept in memory, newest last.',
  ),
  'system.rotateToken': method(
    z.object({}).strict(),
    z.object({ token: z.string() }),
    'Replaces the operator token; browser sessions opened with the old one are closed.',
  ),
};

export const systemEvents = {
  'system.log': event(logEntrySchema, 'stream', 'Each new log entry.'),
  'system.stats': event(systemStatsSchema, 'latest', 'Process statistics, about once a second.'),
};
