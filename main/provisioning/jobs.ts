import type { Logger } from 'pino';
import type { ProvisionStatus } from '../../preload/contract/provisioning';
import type { EventBus } from '../api/event-bus';
import type { ClientRef } from '../broker/hooks';
import type { Issued, ProvisionRepository, RequestRow } from './repository';

/** Steps during which the device is expected to stay on the provision broker. */
export const IN_FLIGHT: readonly ProvisionStatus[] = [
  'STARTED',
  'RUNNING',
  'CONF_UPDATING',
  'CONF_UPDATED',
  'APPS_INSTALLING',
];
/** Jobs that are over: no CONNECT is admitted for them. */
export const FINAL: readonly ProvisionStatus[] = ['COMPLETED', 'ABANDONED', 'STOPPED'];

const NOTHING_ISSUED: Issued = { credentialId: null, username: null, certificateSerial: null };

export interface JobDeps {
  repo: ProvisionRepository;
  events?: EventBus;
  logger: Logger;
  now: () => number;
  /** Removes what a half-done attempt issued (credential, certificate). */
  discardIssued: (row: RequestRow) => void;
  disconnect: (pred: (client: ClientRef) => boolean, reason: string) => void;
  audit: (action: string, row: RequestRow, details?: Record<string, unknown>) => void;
}

/**
 * The provision job's status machine. Every step is written with its time and reason and announced
 * (`provisioning.changed`). A failed attempt discards whatever it issued, so the request stays
 * retryable until its retries are used up (ABANDONED).
 */
export class ProvisionJobs {
  constructor(private readonly d: JobDeps) {}

  private step(
    row: RequestRow,
    status: ProvisionStatus,
    reason: string,
    changes: Parameters<ProvisionRepository['step']>[4] = {},
  ): RequestRow {
    const at = this.d.now();
    this.d.repo.step(row.id, at, status, reason, changes);
    this.d.events?.emit('provisioning.changed', { requestId: row.id, status, step: { at, status, reason } });
    return this.d.repo.row(row.id) ?? row;
  }

  announce(row: RequestRow): void {
    this.d.events?.emit('provisioning.changed', { requestId: row.id, status: row.status, step: null });
  }

  announceDeleted(id: string): void {
    this.d.events?.emit('provisioning.changed', { requestId: id, status: null, step: null });
  }

  /** The device was admitted to the provision broker. */
  started(row: RequestRow, remoteAddress: string): RequestRow {
    return this.step(row, 'STARTED', `connected to the provision broker from ${remoteAddress}`);
  }

  running(row: RequestRow, deviceRequestId: string, identity: Record<string, string>, issued: Issued) {
    return this.step(row, 'RUNNING', 'provision message accepted; configuration sent', {
      device_request_id: deviceRequestId,
      device_identity: JSON.stringify(identity),
      issued,
    });
  }

  advance(row: RequestRow, status: ProvisionStatus, reason: string): RequestRow {
    return this.step(row, status, reason);
  }

  /** A failed attempt: counts against the retries and discards anything issued. */
  fail(row: RequestRow, reason: string): RequestRow {
    this.rollback(row);
    const retries = row.retries + 1;
    const abandoned = retries >= row.retry_max_attempts;
    const next = this.step(
      row,
      abandoned ? 'ABANDONED' : 'FAILED',
      abandoned ? `${reason} (retries used up: ${retries}/${row.retry_max_attempts})` : reason,
      { retries, issued: NOTHING_ISSUED },
    );
    if (abandoned) {
      this.d.audit('provisioning.abandoned', next, { retries });
      this.dropConnections(next, 'provisioning abandoned');
    }
    return next;
  }

  complete(row: RequestRow, how: string): RequestRow {
    const next = this.step(row, 'COMPLETED', how);
    this.d.audit('provisioning.completed', next, { issuedUsername: row.issued_username });
    this.dropConnections(next, 'provisioning completed');
    return next;
  }

  stop(row: RequestRow, reason: string): RequestRow {
    if (row.status !== 'COMPLETED') this.rollback(row);
    const status = row.status === 'COMPLETED' ? 'COMPLETED' : 'STOPPED';
    const issued = status === 'STOPPED' ? NOTHING_ISSUED : undefined;
    const next = this.step(row, status, reason, { enabled: 0, ...(issued ? { issued } : {}) });
    this.dropConnections(next, reason);
    return next;
  }

  reset(row: RequestRow, reason: string): RequestRow {
    if (row.status === 'COMPLETED') return this.step(row, 'COMPLETED', reason, { enabled: 1 });
    this.rollback(row);
    this.dropConnections(row, reason);
    return this.step(row, 'CREATED', reason, { enabled: 1, retries: 0, issued: NOTHING_ISSUED });
  }

  rollback(row: RequestRow): void {
    if (row.issued_credential_id === null && row.issued_certificate_serial === null) return;
    try {
      this.d.discardIssued(row);
    } catch (err) {
      this.d.logger.error({ err, requestId: row.id }, 'could not discard an issued provisioning identity');
    }
  }

  dropConnections(row: RequestRow, reason: string): void {
    this.d.disconnect((client) => client.principal.attributes?.['provisionRequestId'] === row.id, reason);
  }

  /** After a restart, attempts that were under way cannot go on: they fail and stay retryable. */
  recoverAfterRestart(): void {
    for (const row of this.d.repo.inStatuses(IN_FLIGHT)) {
      this.fail(row, 'Fieldbench stopped while the device was provisioning');
    }
  }
}
