import { X509Certificate } from 'node:crypto';
import type { Database } from 'better-sqlite3';
import type { Logger } from 'pino';
import { provisionCreateSchema } from '../../preload/contract/provisioning';
import type { EventBus } from '../api/event-bus';
import type { BrokerEvents } from '../broker/events';
import type { Pki } from '../pki';
import type { Provisioning } from '../provisioning';
import { PortDiscovery, PortWatcher, type SerialPortInfo } from '../serial';
import type { Tenancy } from '../tenancy';
import { createCommissioningHandlers } from './api-handlers';
import { createConsoleHandlers } from './console-handlers';
import type { CommissioningRecord } from './record';
import { RecordRepository } from './repository';
import { RecordSigner } from './signer';
import { Station } from './station';

export { type CommissioningRecord, recordToHtml } from './record';
export { canonicalJson } from './signer';

export interface CommissioningOptions {
  db: Database;
  logger: Logger;
  events: EventBus;
  pki: Pki;
  tenancy: Tenancy;
  provisioning: Provisioning;
  brokerEvents: Pick<BrokerEvents, 'on'>;
  /** Hot-plug polling period (default 1 s). */
  pollMs?: number;
  discovery?: PortDiscovery;
}

/** USB-serial commissioning: ports, station runs, signed records and their operator API. */
export function createCommissioning(options: CommissioningOptions) {
  const { db, pki, tenancy, provisioning } = options;
  const logger = options.logger.child({ module: 'commissioning' });
  const discovery = options.discovery ?? new PortDiscovery();
  const repo = new RecordRepository(db);
  const signer = new RecordSigner(db, pki);
  const lockedElsewhere = new Set<string>();

  const station = new Station(
    {
      createRequest: async (input) => {
        const { row, activationKey } = await provisioning.requests.create(
          provisionCreateSchema.parse({
            ...input,
            overwrite: true,
            secureUrl: true,
            generateActivationKey: true,
          }),
        );
        return { id: row.id, activationKey: activationKey ?? '' };
      },
      provisionBrokerUrl: () => {
        const urls = provisioning.brokerUrls();
        const url = (urls.find((u) => u.secure) ?? urls[0])?.url;
        if (!url) throw new Error('no MQTT listener is running for the provision broker');
        return url;
      },
      provisionAccountName: () => tenancy.accounts.require(provisioning.provisionAccountId()).name,
      caChainPem: () => pki.caChainPem(),
      requestStatus: (id) => {
        const row = provisioning.repo.row(id);
        return row && { status: row.status, reason: row.last_reason };
      },
      issuedCertificate: (id) => {
        const serial = provisioning.repo.row(id)?.issued_certificate_serial;
        const cert = serial ? pki.getCertificate(serial) : undefined;
        // The same colon-separated form as the CA entries of the record.
        return (
          cert && {
            subject: cert.subject,
            sha256Fingerprint: new X509Certificate(cert.certificatePem).fingerprint256,
          }
        );
      },
      watchTelemetry: (accountId, clientId, onFirst) => {
        let stop = () => {};
        stop = options.brokerEvents.on('message.published', (e) => {
          if (e.client?.clientId !== clientId || e.client.principal.accountId !== accountId) return;
          stop();
          onFirst(e.topic);
        });
        return () => stop();
      },
    },
    async (record: CommissioningRecord) => {
      const busy = record.steps.find((s) => s.name === 'open port' && /another program/.test(s.detail));
      if (busy) lockedElsewhere.add(record.port);
      else lockedElsewhere.delete(record.port);
      const signed = await signer.sign(record);
      repo.insert(record, signed);
      logger.info(
        { port: record.port, serial: record.device?.serial, result: record.result, error: record.error },
        'commissioning run ended',
      );
      return record.id;
    },
    (run) => options.events.emit('commissioning.progress', run),
  );

  const consoles = createConsoleHandlers(options.events, (path) => station.isBusy(path));
  const inUse = (path: string): SerialPortInfo['inUse'] =>
    station.isBusy(path) || consoles.held.has(path)
      ? 'fieldbench'
      : lockedElsewhere.has(path)
        ? 'other'
        : null;
  const watcher = new PortWatcher(
    discovery,
    inUse,
    (change) => options.events.emit('serial.ports', change),
    options.pollMs ?? 1000,
  );
  watcher.start();

  return {
    station,
    repo,
    signer,
    discovery,
    handlers: createCommissioningHandlers({
      station,
      repo,
      signer,
      discovery,
      inUse,
      tenancy,
      watcher,
      consoles,
    }),
    /** Stops hot-plug polling; runs in progress end on their own timeouts (their ports close with the process). */
    close: async () => {
      watcher.stop();
      for (const open of consoles.held.values()) await open.close();
    },
  };
}
