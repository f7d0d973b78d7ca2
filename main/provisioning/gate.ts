import type { Logger } from 'pino';
import type { AuthenticateResult, AuthorizeResult, ClientRef, ConnectContext } from '../broker/hooks';
import { namespaceOf, type Tenancy } from '../tenancy';
import { verifyAgainstDummy, verifyPassword } from '../tenancy/password-hash';
import type { ProvisionJobs } from './jobs';
import { LoginLimiter } from './login-limiter';
import { FINAL, IN_FLIGHT } from './jobs';
import { PROTOCOL_APP } from './protocol/topics';
import type { ProvisionRepository, RequestRow } from './repository';

const NOT_AUTHORIZED = 0x87;
const SERVER_BUSY = 0x89;

const refuse = (reasonString: string): AuthenticateResult => ({
  ok: false,
  reasonCode: NOT_AUTHORIZED,
  reasonString,
});

/** Which connection is the current attempt of each request (older ones are ignored when they end). */
export class Attempts {
  private next = 1;
  private readonly current = new Map<string, number>();

  begin(requestId: string): number {
    const attempt = this.next++;
    this.current.set(requestId, attempt);
    return attempt;
  }

  isCurrent(client: ClientRef): boolean {
    const id = client.principal.attributes?.['provisionRequestId'];
    return (
      typeof id === 'string' && this.current.get(id) === client.principal.attributes?.['provisionAttempt']
    );
  }

  end(requestId: string): void {
    this.current.delete(requestId);
  }
}

export const provisionRequestIdOf = (client: ClientRef): string | undefined => {
  const id = client.principal.attributes?.['provisionRequestId'];
  return typeof id === 'string' ? id : undefined;
};

/**
 * The provision broker: a CONNECT with a provision request's username is admitted into the provision
 * account only when an enabled, active, unexpired request matches client id, username and password.
 * Refusals are logged and count towards tenancy's login lockout. Admitted devices may only use their
 * own provisioning topics.
 */
export class ProvisionGate {
  constructor(
    private readonly repo: ProvisionRepository,
    private readonly jobs: ProvisionJobs,
    private readonly attempts: Attempts,
    private readonly tenancy: Tenancy,
    private readonly provisionAccountId: () => string,
    private readonly now: () => number,
    private readonly logger: Logger,
    private readonly limiter = new LoginLimiter(),
  ) {}

  /** A CONNECT is a provisioning login when its username belongs to a provision request. */
  claims(ctx: ConnectContext): boolean {
    return ctx.username !== undefined && ctx.username !== '' && this.repo.hasUsername(ctx.username);
  }

  private refused(ctx: ConnectContext, why: string): AuthenticateResult {
    this.logger.warn(
      { clientId: ctx.clientId, username: ctx.username, remoteAddress: ctx.remoteAddress },
      `provisioning login refused: ${why}`,
    );
    return refuse(`Not authorized: ${why}`);
  }

  async authenticate(ctx: ConnectContext): Promise<AuthenticateResult> {
    const username = ctx.username ?? '';
    const failures = this.tenancy.failures;
    const lockedMs = failures.lockedFor(username, ctx.remoteAddress);
    if (lockedMs > 0) {
      return this.refused(
        ctx,
        `too many failed logins from ${ctx.remoteAddress}; retry in ${Math.ceil(lockedMs / 1000)} s`,
      );
    }
    const password = ctx.password?.toString('utf8') ?? '';
    const found = this.repo.byUsername(username).find((r) => r.client_id === ctx.clientId);
    const checked = this.limiter.run<boolean>(() =>
      found ? verifyPassword(password, found.password_hash) : verifyAgainstDummy(password),
    );
    const valid = checked === null ? null : await checked;
    if (valid === null) {
      return {
        ok: false,
        reasonCode: SERVER_BUSY,
        reasonString: 'Server busy: too many devices provisioning; retry',
      };
    }
    if (!found || !valid) {
      failures.recordFailure(username, ctx.remoteAddress);
      return this.refused(ctx, 'no provision request matches this client id, username and password');
    }
    failures.recordSuccess(username, ctx.remoteAddress);
    // Re-read: the request may have changed while the password was checked.
    const row = this.repo.row(found.id);
    if (!row || row.password_hash !== found.password_hash) {
      return this.refused(ctx, 'the provision request changed; try again');
    }
    const unusable = this.unusableReason(row);
    if (unusable) return this.refused(ctx, unusable);
    const account = this.tenancy.accounts.row(this.provisionAccountId());
    if (!account || !this.tenancy.accounts.usability(account).ok) {
      return this.refused(ctx, 'the provision account is disabled');
    }
    let current = row;
    // A device back before its provision message was accepted (e.g. its CONNECT timed out while the password
    // was checked) lost nothing: only attempts that got further count against the retries.
    if (row.status !== 'STARTED' && (IN_FLIGHT.includes(row.status) || row.status === 'APPS_INSTALLED')) {
      current = this.jobs.fail(row, 'the device connected to the provision broker again before finishing');
      if (current.status === 'ABANDONED') return this.refused(ctx, 'provisioning was abandoned');
    }
    const attempt = this.attempts.begin(row.id);
    this.jobs.started(current, ctx.remoteAddress);
    return {
      ok: true,
      principal: {
        kind: 'device',
        accountId: account.id,
        accountName: account.name,
        username,
        topicPrefix: namespaceOf(account.name),
        attributes: {
          provisionRequestId: row.id,
          provisionClientId: row.client_id,
          provisionAttempt: attempt,
        },
      },
    };
  }

  /** Why a request cannot be used now, or null. */
  unusableReason(row: RequestRow): string | null {
    const now = this.now();
    if (row.status === 'COMPLETED') return 'this device is already provisioned';
    if (row.status === 'ABANDONED') return 'provisioning was abandoned (retries used up)';
    if (row.enabled !== 1 || FINAL.includes(row.status)) return 'the provision request is disabled';
    if (row.activates_at !== null && row.activates_at > now) return 'the provision request is not active yet';
    if (row.expires_at !== null && row.expires_at <= now) return 'the provision request has expired';
    return null;
  }

  private ownTopics(client: ClientRef): string {
    return `${PROTOCOL_APP}/${client.principal.attributes?.['provisionClientId']}/`;
  }

  authorizePublish(client: ClientRef, topic: string): AuthorizeResult {
    const own = this.ownTopics(client);
    const rest = topic.startsWith(own) ? topic.slice(own.length) : null;
    return rest === 'EXEC/provision' || rest === 'EXEC/stage' || rest === 'GET/file'
      ? true
      : {
          reasonCode: NOT_AUTHORIZED,
          reasonString: 'Not authorized: only this device’s provisioning topics',
        };
  }

  authorizeSubscribe(client: ClientRef, filter: string): AuthorizeResult {
    const replies = `${this.ownTopics(client)}REPLY/`;
    const rest = filter.startsWith(replies) ? filter.slice(replies.length) : null;
    const ok = rest !== null && (rest === '+' || rest === '#' || /^[^/+#]+$/.test(rest));
    return ok
      ? true
      : {
          reasonCode: NOT_AUTHORIZED,
          reasonString: 'Not authorized: only this device’s provisioning replies',
        };
  }

  authorizeDelivery(client: ClientRef, topic: string): AuthorizeResult {
    return topic.startsWith(`${this.ownTopics(client)}REPLY/`)
      ? true
      : { reasonCode: NOT_AUTHORIZED, reasonString: 'Not authorized' };
  }
}
