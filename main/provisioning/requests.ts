import crypto from 'node:crypto';
import type { z } from 'zod';
import {
  PROVISION_MAX_APPLICATIONS,
  PROVISION_MAX_ATTACHMENT_BYTES,
  type ProvisionRequest,
  type provisionCreateSchema,
} from '../../preload/contract/provisioning';
import { ApiError } from '../api/api-error';
import type { Tenancy } from '../tenancy';
import { hashPassword } from '../tenancy/password-hash';
import type { ProvisionJobs } from './jobs';
import type { AttachmentRow, ProvisionRepository, RequestRow } from './repository';

export type CreateInput = z.output<typeof provisionCreateSchema>;

const ACTIVATION_KEY_ALPHABET = 'ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz23456789';
const CLIENT_ID = /^[A-Za-z0-9_.:-]{1,128}$/;
const USERNAME = /^[\x21-\x7e]{1,128}$/;

/** A random 32-character activation key (about 186 bits). */
export function generateActivationKey(): string {
  const bytes = crypto.randomBytes(32);
  let key = '';
  for (const byte of bytes) key += ACTIVATION_KEY_ALPHABET[byte % ACTIVATION_KEY_ALPHABET.length];
  return key;
}

export const sha256Hex = (data: Buffer | string) => crypto.createHash('sha256').update(data).digest('hex');

function validateAttachments(input: CreateInput['attachments']): Omit<AttachmentRow, 'request_id'>[] {
  const configurations = input.filter((a) => a.kind === 'configuration').length;
  if (configurations > 1) throw new ApiError('BAD_REQUEST', 'At most one configuration can be attached.');
  if (input.length - configurations > PROVISION_MAX_APPLICATIONS) {
    throw new ApiError('BAD_REQUEST', `At most ${PROVISION_MAX_APPLICATIONS} applications can be attached.`);
  }
  // The configuration goes first, so devices apply it before installing applications.
  const ordered = [...input].sort((a, b) => (a.kind === b.kind ? 0 : a.kind === 'configuration' ? -1 : 1));
  return ordered.map((a, position) => {
    const content = Buffer.from(a.contentBase64, 'base64');
    if (content.length === 0) throw new ApiError('BAD_REQUEST', `Attachment "${a.name}" is empty.`);
    if (content.length > PROVISION_MAX_ATTACHMENT_BYTES) {
      throw new ApiError(
        'BAD_REQUEST',
        `Attachment "${a.name}" is larger than ${PROVISION_MAX_ATTACHMENT_BYTES / 1024 / 1024} MiB.`,
      );
    }
    return {
      id: crypto.randomUUID(),
      position,
      kind: a.kind,
      name: a.name,
      sha256: sha256Hex(content),
      size: content.length,
      content,
    };
  });
}

/** Operator-side rules of provision requests: creation, enable/disable, retry, delete. */
export class ProvisionRequests {
  constructor(
    private readonly repo: ProvisionRepository,
    private readonly tenancy: Tenancy,
    private readonly jobs: ProvisionJobs,
    private readonly provisionAccountId: () => string,
    private readonly now: () => number,
  ) {}

  require(id: string): RequestRow {
    const row = this.repo.row(id);
    if (!row) throw new ApiError('NOT_FOUND', `No provision request with id ${id}.`);
    return row;
  }

  toDto(row: RequestRow): ProvisionRequest {
    return this.repo.toDto(row, this.tenancy.accounts.row(row.target_account_id)?.name ?? '(deleted)');
  }

  list(): ProvisionRequest[] {
    return this.repo.all().map((row) => this.toDto(row));
  }

  async create(input: CreateInput): Promise<{ row: RequestRow; activationKey: string | null }> {
    const account = this.tenancy.accounts.require(input.targetAccountId);
    if (account.id === this.provisionAccountId()) {
      throw new ApiError('BAD_REQUEST', 'The provision account cannot be a provisioning target.');
    }
    if (!CLIENT_ID.test(input.clientId)) {
      throw new ApiError('BAD_REQUEST', 'The client id may use letters, digits and "_ . : -" (1–128).');
    }
    if (!USERNAME.test(input.username)) {
      throw new ApiError('BAD_REQUEST', 'The provision username must be printable ASCII without spaces.');
    }
    if (this.tenancy.credentials.byUsername(input.username)) {
      throw new ApiError(
        'CONFLICT',
        `"${input.username}" is already a device credential; provision usernames must differ.`,
      );
    }
    if (input.activatesAt !== null && input.expiresAt !== null && input.activatesAt >= input.expiresAt) {
      throw new ApiError('BAD_REQUEST', 'Activation must come before expiry.');
    }
    if (input.expiresAt !== null && input.expiresAt <= this.now()) {
      throw new ApiError('BAD_REQUEST', 'The expiry is already in the past.');
    }
    const attachments = validateAttachments(input.attachments);
    const duplicate = this.repo.byTarget(account.id, input.clientId);
    if (duplicate && !input.overwrite) {
      throw new ApiError(
        'CONFLICT',
        `Account "${account.name}" already has a provision request for client id "${input.clientId}".`,
      );
    }
    const passwordHash = await hashPassword(input.password);
    const activationKey = input.generateActivationKey ? generateActivationKey() : null;
    const id = crypto.randomUUID();
    const replaced = this.repo.byTarget(account.id, input.clientId);
    if (replaced) this.remove(replaced, 'replaced by a new request');
    try {
      this.insertRow(id, account.id, input, passwordHash, activationKey, attachments);
    } catch (err) {
      // Another request for this client id was stored while the password was being hashed.
      if ((err as { code?: string }).code === 'SQLITE_CONSTRAINT_UNIQUE') {
        throw new ApiError(
          'CONFLICT',
          `A provision request for client id "${input.clientId}" was just created.`,
        );
      }
      throw err;
    }
    const row = this.require(id);
    this.jobs.announce(row);
    return { row, activationKey };
  }

  private insertRow(
    id: string,
    accountId: string,
    input: CreateInput,
    passwordHash: string,
    activationKey: string | null,
    attachments: Omit<AttachmentRow, 'request_id'>[],
  ): void {
    this.repo.insert(
      {
        id,
        target_account_id: accountId,
        client_id: input.clientId,
        username: input.username,
        password_hash: passwordHash,
        activation_key_sha256: activationKey ? sha256Hex(activationKey) : null,
        enabled: 1,
        activates_at: input.activatesAt,
        expires_at: input.expiresAt,
        retry_max_attempts: input.retryMaxAttempts,
        secure_url: input.secureUrl ? 1 : 0,
        coupling: input.coupling,
        created_at: this.now(),
      },
      attachments,
    );
  }

  setEnabled(id: string, enabled: boolean): RequestRow {
    const row = this.require(id);
    if (enabled === (row.enabled === 1)) return row;
    if (!enabled) {
      this.jobs.stop(row, 'disabled by the operator');
    } else {
      this.jobs.reset(row, 'enabled by the operator');
    }
    return this.require(id);
  }

  retry(id: string): RequestRow {
    const row = this.require(id);
    if (row.status === 'COMPLETED') {
      throw new ApiError('CONFLICT', 'The device is already provisioned; create a new request to redo it.');
    }
    this.jobs.reset(row, 'retry requested by the operator');
    return this.require(id);
  }

  delete(id: string): RequestRow {
    const row = this.require(id);
    this.remove(row, 'request deleted');
    return row;
  }

  private remove(row: RequestRow, reason: string): void {
    this.jobs.dropConnections(row, reason);
    if (row.status !== 'COMPLETED') this.jobs.rollback(row);
    this.repo.delete(row.id);
    this.jobs.announceDeleted(row.id);
  }
}
