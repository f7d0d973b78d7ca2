import { z } from 'zod';
import { event, method } from './define';

// Operator-API methods and events of USB-serial commissioning: serial ports (discovered, hot-plug by
// polling), commissioning runs (one per port, station mode for many) and signed commissioning records.

const ok = z.object({ ok: z.literal(true) });
const portPath = z
  .string()
  .min(1)
  .max(256)
  .regex(/^\/[^\0]*$/, 'an absolute device path');

export const serialPortSchema = z.object({
  path: z.string(),
  byId: z.string().nullable(),
  vendorId: z.string().nullable(),
  productId: z.string().nullable(),
  serialNumber: z.string().nullable(),
  manufacturer: z.string().nullable(),
  source: z.enum(['serialport', 'scan', 'operator']),
  /** `fieldbench`: a run or console has it open; `other`: locked by another program. */
  inUse: z.enum(['fieldbench', 'other']).nullable(),
});
export type SerialPortDto = z.infer<typeof serialPortSchema>;

export const runStateSchema = z.enum(['running', 'succeeded', 'failed']);

export const commissioningRunSchema = z.object({
  id: z.string(),
  port: z.string(),
  step: z.string(),
  state: runStateSchema,
  detail: z.string(),
  deviceSerial: z.string().nullable(),
  deviceModel: z.string().nullable(),
  recordId: z.string().nullable(),
  startedAt: z.number().int(),
  endedAt: z.number().int().nullable(),
});
export type CommissioningRun = z.infer<typeof commissioningRunSchema>;

export const recordSummarySchema = z.object({
  id: z.string(),
  port: z.string(),
  deviceSerial: z.string().nullable(),
  deviceMac: z.string().nullable(),
  deviceModel: z.string().nullable(),
  clientId: z.string().nullable(),
  accountName: z.string(),
  operator: z.string(),
  result: z.enum(['succeeded', 'failed']),
  error: z.string().nullable(),
  startedAt: z.number().int(),
  endedAt: z.number().int(),
});

export const verificationSchema = z.object({
  valid: z.boolean(),
  reason: z.string(),
  signerSubject: z.string().nullable(),
  signerFingerprint: z.string().nullable(),
});

export const MAX_STATION_PORTS = 32;

export const consoleEntrySchema = z.object({
  seq: z.number().int(),
  at: z.number().int(),
  direction: z.enum(['in', 'out']),
  hex: z.string(),
  text: z.string(),
});
export type ConsoleEntryDto = z.infer<typeof consoleEntrySchema>;

/** Largest single send (bytes after decoding): a file is sent in pieces of at most this size. */
export const CONSOLE_MAX_SEND_BYTES = 64 * 1024;
const consolePort = z.object({ path: portPath });

export const serialMethods = {
  'serial.listPorts': method(
    z.object({}).strict(),
    z.object({
      ports: z.array(serialPortSchema),
      /** Why `serialport`'s own listing failed (e.g. no udevadm): the list then comes from a device scan. */
      listError: z.string().nullable(),
    }),
    'Serial ports on this machine (USB, ACM, by-id names and added paths such as PTY links).',
  ),
  'serial.addPort': method(
    z.object({ path: portPath }),
    ok,
    'Adds a port path discovery cannot find by itself (e.g. a socat PTY link).',
  ),
  'serial.removePort': method(z.object({ path: portPath }), ok, 'Forgets an added port path.'),
  'serial.consoleOpen': method(
    z.object({ path: portPath, baudRate: z.number().int().min(300).max(4_000_000).default(115200) }),
    ok,
    'Opens the raw console of a port (8N1 at the baud rate); a port open elsewhere is refused by name.',
  ),
  'serial.consoleClose': method(consolePort, ok, 'Closes a console.'),
  'serial.consoleSend': method(
    z.object({
      path: portPath,
      /** Text as typed, hex digits (spaces allowed) or a file's bytes as base64. */
      data: z.string().max(CONSOLE_MAX_SEND_BYTES * 2 + 1024),
      encoding: z.enum(['text', 'hex', 'base64']).default('text'),
      lineEnding: z.enum(['none', 'lf', 'cr', 'crlf']).default('none'),
    }),
    z.object({ bytes: z.number().int() }),
    'Sends text, hex or a file to the port.',
  ),
  'serial.consoleRead': method(
    z.object({ path: portPath, afterSeq: z.number().int().min(0).default(0) }),
    z.object({ entries: z.array(consoleEntrySchema), dropped: z.number().int(), paused: z.boolean() }),
    'Console entries after a sequence number, with timestamps, as text and hex (at most 500 per call).',
  ),
  'serial.consoleControl': method(
    z.object({ path: portPath, paused: z.boolean().optional(), clear: z.boolean().optional() }),
    ok,
    'Pauses or resumes capture, or clears the console.',
  ),
  'commissioning.start': method(
    z.object({
      ports: z
        .array(
          z.object({ path: portPath, baudRate: z.number().int().min(300).max(4_000_000).default(115200) }),
        )
        .min(1)
        .max(MAX_STATION_PORTS),
      targetAccountId: z.string().min(1).max(128),
      template: z
        .object({
          coupling: z.enum(['loose', 'strict']).default('loose'),
          retryMaxAttempts: z.number().int().min(1).max(100).default(3),
          deviceTimeoutSeconds: z.number().int().min(1).max(300).default(10),
          /** `certificate`: the device generates its key pair and sends a CSR (the key never leaves it). */
          credential: z.enum(['password', 'certificate']).default('password'),
        })
        .default({
          coupling: 'loose',
          retryMaxAttempts: 3,
          deviceTimeoutSeconds: 10,
          credential: 'password',
        }),
      /** How long the device may take from reboot to provisioned and first telemetry. */
      onlineTimeoutSeconds: z.number().min(1).max(900).default(60),
    }),
    z.object({ runs: z.array(commissioningRunSchema) }),
    'Commissions the gateway on each port at once (station mode); a failure on one never stops the others.',
  ),
  'commissioning.runs': method(
    z.object({}).strict(),
    z.object({ runs: z.array(commissioningRunSchema) }),
    'Runs of this session with their current step, newest first.',
  ),
  'commissioning.records': method(
    z.object({ search: z.string().max(200).default('') }),
    z.object({ records: z.array(recordSummarySchema) }),
    'Stored commissioning records, newest first (search: serial, MAC, client id, account, port, operator).',
  ),
  'commissioning.exportRecord': method(
    z.object({ id: z.string().min(1).max(64), format: z.enum(['json', 'html']) }),
    z.object({ filename: z.string(), content: z.string() }),
    'A record as signed JSON (record + signature + signer certificate) or as a readable HTML report.',
  ),
  'commissioning.verifyRecord': method(
    z.union([z.object({ id: z.string().min(1).max(64) }), z.object({ json: z.string().max(1_000_000) })]),
    verificationSchema,
    'Checks a stored or exported record: signature, signer chained to this Fieldbench CA, not revoked.',
  ),
};

export const serialEvents = {
  'serial.ports': event(
    z.object({ ports: z.array(serialPortSchema), added: z.array(z.string()), removed: z.array(z.string()) }),
    'latest',
    'The serial port list changed (plugged, unplugged, opened, closed).',
  ),
  'serial.console': event(
    z.object({ path: z.string(), entry: consoleEntrySchema }),
    'stream',
    'Bytes in or out on an open console.',
  ),
  'commissioning.progress': event(
    commissioningRunSchema,
    'stream',
    'A commissioning run moved to a new step.',
  ),
};
