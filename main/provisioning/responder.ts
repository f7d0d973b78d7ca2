import crypto from 'node:crypto';
import type { Logger } from 'pino';
import type { ClientRef } from '../broker/hooks';
import type { Attempts, ProvisionGate } from './gate';
import { provisionRequestIdOf } from './gate';
import type { IdentityIssuer } from './issuer';
import type { ProvisionJobs } from './jobs';
import {
  DEVICE_STAGES,
  type DeviceStage,
  decodeMessage,
  encodeMessage,
  FILE_CHUNK_BYTES,
  MalformedMessage,
  type MetricValue,
  ProtocolError,
  type ProvisionMessage,
  parseRequestTopic,
  provisionTopics,
  type WireFormat,
} from './protocol';
import type { ProvisionRepository, RequestRow } from './repository';
import { sha256Hex } from './requests';

const REQUEST_ID = /^[A-Za-z0-9_.-]{1,64}$/;
const IDENTITY_FIELDS = ['device.mac', 'device.serial', 'device.model', 'device.firmware'] as const;
const MAX_CSR_CHARS = 16 * 1024;
/** Requests one device may have waiting; beyond that they are dropped (a device waits for replies). */
const MAX_PENDING_PER_DEVICE = 16;

export interface ResponderDeps {
  repo: ProvisionRepository;
  jobs: ProvisionJobs;
  gate: ProvisionGate;
  attempts: Attempts;
  issuer: IdentityIssuer;
  /** Publishes a reply into the provision account's namespace. */
  publish: (topic: string, payload: Buffer) => Promise<void>;
  logger: Logger;
}

function text(message: ProvisionMessage, name: string, max = 128): string | undefined {
  const value = message.metrics[name];
  if (value === undefined) return undefined;
  if (typeof value !== 'string' || value.length > max) {
    throw new ProtocolError(
      'MALFORMED_MESSAGE',
      `metric "${name}" must be a string of at most ${max} characters`,
    );
  }
  return value;
}

function integer(message: ProvisionMessage, name: string): number {
  const value = message.metrics[name];
  const n = typeof value === 'string' && /^\d+$/.test(value) ? Number(value) : value;
  if (typeof n !== 'number' || !Number.isSafeInteger(n) || n < 0) {
    throw new ProtocolError('MALFORMED_MESSAGE', `metric "${name}" must be a non-negative integer`);
  }
  return n;
}

const sameSecret = (a: string, b: string) =>
  crypto.timingSafeEqual(Buffer.from(sha256Hex(a), 'hex'), Buffer.from(b, 'hex'));

/**
 * Fieldbench's side of the provisioning protocol: consumes the devices' requests (they never reach
 * other subscribers), moves the job and answers on the device's REPLY topic in the format it used.
 * Requests of one device are handled one at a time, in order.
 */
export class ProvisionResponder {
  private readonly queues = new Map<string, { tail: Promise<void>; pending: number }>();

  constructor(private readonly d: ResponderDeps) {}

  /** Broker publish interceptor: true = consumed. */
  intercept(client: ClientRef, topic: string, payload: Buffer): boolean {
    const requestId = provisionRequestIdOf(client);
    if (requestId === undefined) return false;
    const parsed = parseRequestTopic(topic);
    if (!parsed) return true;
    const queue = this.queues.get(requestId) ?? { tail: Promise.resolve(), pending: 0 };
    if (queue.pending >= MAX_PENDING_PER_DEVICE) {
      this.d.logger.warn({ clientId: client.clientId }, 'provisioning request dropped: too many waiting');
      return true;
    }
    queue.pending++;
    this.queues.set(requestId, queue);
    queue.tail = queue.tail
      .then(() => this.handle(client, requestId, parsed.operation, payload))
      .catch((err: unknown) => this.d.logger.error({ err }, 'provisioning request failed'))
      .finally(() => {
        queue.pending--;
        if (queue.pending === 0 && this.queues.get(requestId) === queue) this.queues.delete(requestId);
      });
    return true;
  }

  private async handle(client: ClientRef, requestId: string, operation: string, payload: Buffer) {
    const topics = provisionTopics(client.clientId);
    let format: WireFormat = 'json';
    let deviceRequestId = 'invalid';
    try {
      const decoded = decodeMessage(payload);
      format = decoded.format;
      const id = decoded.message.metrics['request.id'];
      if (typeof id !== 'string' || !REQUEST_ID.test(id)) {
        throw new ProtocolError('MALFORMED_MESSAGE', 'metric "request.id" must match [A-Za-z0-9_.-]{1,64}');
      }
      deviceRequestId = id;
      if (!this.d.attempts.isCurrent(client)) {
        throw new ProtocolError(
          'WRONG_STATE',
          'this connection is no longer the current provisioning attempt',
        );
      }
      const row = this.d.repo.row(requestId);
      if (!row) throw new ProtocolError('NOT_FOUND', 'the provision request was deleted');
      const reply =
        operation === 'EXEC/provision'
          ? await this.provision(row, id, decoded.message)
          : operation === 'EXEC/stage'
            ? this.stage(row, decoded.message)
            : this.file(row, decoded.message);
      await this.d.publish(topics.reply(id), encodeMessage(reply, format));
    } catch (err) {
      const error =
        err instanceof ProtocolError
          ? err
          : err instanceof MalformedMessage
            ? new ProtocolError('MALFORMED_MESSAGE', err.message)
            : new ProtocolError('INTERNAL_ERROR', 'Fieldbench could not handle the request');
      if (error.error === 'INTERNAL_ERROR') this.d.logger.error({ err }, 'provisioning request failed');
      const metrics: Record<string, MetricValue> = {
        'response.code': error.code,
        'response.error': error.error,
        'response.message': error.message,
        'request.id': deviceRequestId,
      };
      const row = this.d.repo.row(requestId);
      if (
        row &&
        this.d.attempts.isCurrent(client) &&
        !['COMPLETED', 'ABANDONED', 'STOPPED'].includes(row.status)
      ) {
        const failed = this.d.jobs.fail(row, `${error.error}: ${error.message}`);
        metrics['retries.left'] = Math.max(0, failed.retry_max_attempts - failed.retries);
      }
      await this.d.publish(topics.reply(deviceRequestId), encodeMessage({ metrics }, format));
    }
  }

  private async provision(row: RequestRow, id: string, message: ProvisionMessage): Promise<ProvisionMessage> {
    const unusable = this.d.gate.unusableReason(row);
    if (unusable) {
      const error =
        row.enabled !== 1
          ? 'REQUEST_DISABLED'
          : unusable.includes('not active')
            ? 'NOT_YET_ACTIVE'
            : unusable.includes('expired')
              ? 'REQUEST_EXPIRED'
              : 'WRONG_STATE';
      throw new ProtocolError(error, unusable);
    }
    if (row.status !== 'STARTED' && row.status !== 'FAILED') {
      throw new ProtocolError('WRONG_STATE', `a provision message was already accepted (job ${row.status})`);
    }
    const identity: Record<string, string> = {};
    for (const field of IDENTITY_FIELDS) {
      const value = text(message, field);
      if (!value) throw new ProtocolError('MALFORMED_MESSAGE', `metric "${field}" is required`);
      identity[field.slice('device.'.length)] = value;
    }
    const key = text(message, 'activation.key', 64);
    if (row.activation_key_sha256 !== null && (!key || !sameSecret(key, row.activation_key_sha256))) {
      throw new ProtocolError(
        'ACTIVATION_KEY_INVALID',
        key ? 'wrong activation key' : 'activation key missing',
      );
    }
    const csr = text(message, 'csr', MAX_CSR_CHARS);
    const identityIssued = await this.d.issuer.issue(row, csr);
    const now = this.d.repo.row(row.id);
    if (!now || (now.status !== 'STARTED' && now.status !== 'FAILED') || now.enabled !== 1) {
      this.d.issuer.discard({ ...row, ...issuedColumns(identityIssued.issued) });
      throw new ProtocolError('WRONG_STATE', 'the provision request changed while it was being handled');
    }
    this.d.jobs.running(now, id, identity, identityIssued.issued);
    const files = this.d.repo.attachmentMeta(row.id);
    const metrics: Record<string, MetricValue> = {
      'response.code': 200,
      'request.id': id,
      ...identityIssued.metrics,
      'files.count': files.length,
      'files.chunk.size': FILE_CHUNK_BYTES,
    };
    files.forEach((f, i) => {
      metrics[`file.${i}.kind`] = f.kind;
      metrics[`file.${i}.name`] = f.name;
      metrics[`file.${i}.size`] = f.size;
      metrics[`file.${i}.sha256`] = f.sha256;
      metrics[`file.${i}.chunks`] = Math.ceil(f.size / FILE_CHUNK_BYTES);
    });
    return { metrics };
  }

  private stage(row: RequestRow, message: ProvisionMessage): ProvisionMessage {
    const stage = text(message, 'stage', 32);
    const id = message.metrics['request.id'] as string;
    if (stage === 'FAILED') {
      throw new ProtocolError(
        'WRONG_STATE',
        `the device reported a failure: ${text(message, 'reason', 500) ?? ''}`,
      );
    }
    const index = DEVICE_STAGES.indexOf(stage as DeviceStage);
    if (index < 0) throw new ProtocolError('MALFORMED_MESSAGE', `unknown stage "${stage ?? ''}"`);
    const expected = index === 0 ? 'RUNNING' : DEVICE_STAGES[index - 1];
    if (row.status !== expected) {
      throw new ProtocolError('WRONG_STATE', `stage ${stage} cannot follow ${row.status}`);
    }
    const reason = text(message, 'reason', 500);
    this.d.jobs.advance(row, stage as DeviceStage, reason ? `device: ${reason}` : `device reported ${stage}`);
    return { metrics: { 'response.code': 200, 'request.id': id } };
  }

  private file(row: RequestRow, message: ProvisionMessage): ProvisionMessage {
    if (!['RUNNING', 'CONF_UPDATING', 'CONF_UPDATED', 'APPS_INSTALLING'].includes(row.status)) {
      throw new ProtocolError(
        'WRONG_STATE',
        `files are sent only while provisioning runs (job ${row.status})`,
      );
    }
    const fileIndex = integer(message, 'file.index');
    const chunkIndex = integer(message, 'chunk.index');
    const meta = this.d.repo.attachmentMeta(row.id)[fileIndex];
    if (!meta) throw new ProtocolError('NOT_FOUND', `there is no file ${fileIndex}`);
    const chunks = Math.ceil(meta.size / FILE_CHUNK_BYTES);
    if (chunkIndex >= chunks) throw new ProtocolError('NOT_FOUND', `file ${fileIndex} has ${chunks} chunks`);
    const body = this.d.repo.chunk(meta.id, chunkIndex * FILE_CHUNK_BYTES, FILE_CHUNK_BYTES);
    return {
      metrics: {
        'response.code': 200,
        'request.id': message.metrics['request.id'] as string,
        'file.index': fileIndex,
        'file.name': meta.name,
        'file.kind': meta.kind,
        'file.size': meta.size,
        'file.sha256': meta.sha256,
        'chunk.index': chunkIndex,
        'chunk.count': chunks,
      },
      body,
    };
  }
}

function issuedColumns(issued: {
  credentialId: string | null;
  username: string | null;
  certificateSerial: string | null;
}): Pick<RequestRow, 'issued_credential_id' | 'issued_username' | 'issued_certificate_serial'> {
  return {
    issued_credential_id: issued.credentialId,
    issued_username: issued.username,
    issued_certificate_serial: issued.certificateSerial,
  };
}
