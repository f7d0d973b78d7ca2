import type { serialMethods } from '../../preload/contract/serial';
import { ApiError } from '../api/api-error';
import type { HandlersFor } from '../api/handlers';
import type { PortDiscovery, PortWatcher, SerialConsole, SerialPortInfo } from '../serial';
import type { Tenancy } from '../tenancy';
import { type CommissioningRecord, recordToHtml } from './record';
import type { RecordRepository } from './repository';
import type { RecordSigner, SignedRecord } from './signer';
import type { Station } from './station';

export interface CommissioningHandlerDeps {
  station: Station;
  repo: RecordRepository;
  signer: RecordSigner;
  discovery: PortDiscovery;
  watcher: PortWatcher;
  inUse: (path: string) => SerialPortInfo['inUse'];
  tenancy: Tenancy;
  consoles: ConsoleHandlers;
}

type ConsoleHandlers = Pick<
  HandlersFor<keyof typeof serialMethods>,
  | 'serial.consoleOpen'
  | 'serial.consoleClose'
  | 'serial.consoleSend'
  | 'serial.consoleRead'
  | 'serial.consoleControl'
> & { held: Map<string, SerialConsole> };

const FRAME_TIMEOUT_MS = 1500;
const FRAME_RETRIES = 3;
const BOOT_TIMEOUT_MS = 15_000;

export function createCommissioningHandlers(
  d: CommissioningHandlerDeps,
): HandlersFor<keyof typeof serialMethods> {
  const stored = (id: string) => {
    const found = d.repo.get(id);
    if (!found) throw new ApiError('NOT_FOUND', `No commissioning record with id ${id}.`);
    return found;
  };
  return {
    'serial.listPorts': async () => {
      const ports = await d.discovery.discover(d.inUse);
      return { ports, listError: d.discovery.lastListError };
    },
    'serial.addPort': async (req, call) => {
      try {
        d.discovery.addPath(req.path);
      } catch (err) {
        throw new ApiError('BAD_REQUEST', (err as Error).message);
      }
      d.tenancy.audit.record(call, 'serial.addPort', `serial:${req.path}`);
      await d.watcher.poll();
      return { ok: true };
    },
    'serial.removePort': async (req) => {
      d.discovery.removePath(req.path);
      await d.watcher.poll();
      return { ok: true };
    },
    'serial.consoleOpen': d.consoles['serial.consoleOpen'],
    'serial.consoleClose': d.consoles['serial.consoleClose'],
    'serial.consoleSend': d.consoles['serial.consoleSend'],
    'serial.consoleRead': d.consoles['serial.consoleRead'],
    'serial.consoleControl': d.consoles['serial.consoleControl'],
    'commissioning.start': (req, call) => {
      const account = d.tenancy.accounts.row(req.targetAccountId);
      if (!account) throw new ApiError('NOT_FOUND', `No account with id ${req.targetAccountId}.`);
      const paths = req.ports.map((p) => p.path);
      if (new Set(paths).size !== paths.length) throw new ApiError('BAD_REQUEST', 'A port is listed twice.');
      const withConsole = paths.filter((p) => d.consoles.held.has(p));
      if (withConsole.length > 0) {
        throw new ApiError('CONFLICT', `Close the console of ${withConsole.join(', ')} first.`);
      }
      d.tenancy.audit.record(call, 'commissioning.start', `account:${account.name}`, { ports: paths });
      const runs = d.station.start(
        req.ports.map((p) => ({
          path: p.path,
          baudRate: p.baudRate,
          targetAccount: { id: account.id, name: account.name },
          template: req.template,
          operator: call.actor,
          onlineTimeoutMs: req.onlineTimeoutSeconds * 1000,
          frameTimeoutMs: FRAME_TIMEOUT_MS,
          frameRetries: FRAME_RETRIES,
          bootTimeoutMs: BOOT_TIMEOUT_MS,
        })),
      );
      return { runs };
    },
    'commissioning.runs': () => ({ runs: d.station.list() }),
    'commissioning.records': (req) => ({
      records: d.repo.list(req.search).map((r) => ({
        id: r.id,
        port: r.port,
        deviceSerial: r.device?.serial ?? null,
        deviceMac: r.device?.mac ?? null,
        deviceModel: r.device?.model ?? null,
        clientId: r.clientId,
        accountName: r.targetAccount.name,
        operator: r.operator,
        result: r.result,
        error: r.error,
        startedAt: r.startedAt,
        endedAt: r.endedAt,
      })),
    }),
    'commissioning.exportRecord': (req) => {
      const { record, signed } = stored(req.id);
      const base = `commissioning-${record.device?.serial ?? 'unknown'}-${record.id.slice(0, 8)}`;
      if (req.format === 'json') {
        return { filename: `${base}.json`, content: JSON.stringify({ record, ...signed }, null, 2) };
      }
      return { filename: `${base}.html`, content: recordToHtml(record, d.signer.verify(record, signed)) };
    },
    'commissioning.verifyRecord': (req) => {
      if ('id' in req) {
        const { record, signed } = stored(req.id);
        return d.signer.verify(record, signed);
      }
      let parsed: { record?: CommissioningRecord } & Partial<SignedRecord>;
      try {
        parsed = JSON.parse(req.json);
      } catch {
        throw new ApiError('BAD_REQUEST', 'The record is not JSON.');
      }
      if (!parsed.record || typeof parsed.signature !== 'string' || typeof parsed.signerPem !== 'string') {
        throw new ApiError('BAD_REQUEST', 'An exported record has "record", "signature" and "signerPem".');
      }
      return d.signer.verify(parsed.record, { signature: parsed.signature, signerPem: parsed.signerPem });
    },
  };
}
