import type { AuthenticateResult, AuthorizeResult, BrokerHooks, ConnectContext } from '../broker/hooks';
import type { AccountService } from './accounts';
import { createAdmission, refuse } from './admission';
import type { ApiKeyService } from './api-keys';
import type { Authorizer } from './authorizer';
import { REASON } from './context';
import type { CredentialService } from './credentials';
import type { DeviceService } from './devices';
import { BUSY, type HashQueue } from './hash-queue';
import type { AttemptRefusal, LoginFailureTracker } from './lockout';
import { verifyAgainstDummy, verifyPassword } from './password-hash';
import { API_KEY_USERNAME } from './validation';
import type { VerifiedLoginCache } from './verified-login-cache';

export interface HookDeps {
  accounts: AccountService;
  credentials: CredentialService;
  apiKeys: ApiKeyService;
  devices: DeviceService;
  authorizer: Authorizer;
  failures: LoginFailureTracker;
  /** Skips scrypt for a password that recently passed it (see VerifiedLoginCache). */
  verified: VerifiedLoginCache;
  /** Where password hashes wait their turn (bounded; known devices first). */
  hashQueue: HashQueue;
  now: () => number;
  /** Lets clients without a username into the root namespace (lab use). Default false. */
  allowAnonymous: boolean;
}

/** One object for every refused delivery: the broker only counts it, and this runs per message. */
const DELIVERY_REFUSED: AuthorizeResult = Object.freeze({
  reasonCode: REASON.notAuthorized,
  reasonString: 'Not authorized: the access rules do not allow receiving this topic',
});

/** Enforces accounts, messaging-service assignment, connection options, credentials and rules. */
export function createTenancyHooks(deps: HookDeps): BrokerHooks {
  const { accounts, credentials, apiKeys, authorizer, failures } = deps;
  const admit = createAdmission(accounts, deps.devices);

  function tooManyFailures(refusal: AttemptRefusal, address: string): AuthenticateResult {
    const retry = refusal.lockedMs > 0 ? `retry in ${Math.ceil(refusal.lockedMs / 1000)} s` : 'retry later';
    const what = refusal.scope === 'address' ? 'failed logins' : 'failed logins for this username';
    return refuse(REASON.notAuthorized, `Not authorized: too many ${what} from ${address}; ${retry}`);
  }

  /**
   * Checks a password with scrypt, the attempt counted before hashing (so a burst of guesses
   * cannot exceed the lockout) and the hash queued behind a bounded list.
   */
  async function checkPassword(
    ctx: ConnectContext,
    username: string,
    password: string,
    storedHash: string | undefined,
  ): Promise<boolean | AuthenticateResult> {
    const attempt = failures.reserve(username, ctx.remoteAddress);
    if (!attempt.ok) return tooManyFailures(attempt, ctx.remoteAddress);
    const priority =
      storedHash !== undefined && !failures.hasRecentFailures(ctx.remoteAddress) ? 'high' : 'low';
    let valid: boolean | typeof BUSY;
    try {
      valid = await deps.hashQueue.run(priority, () =>
        storedHash === undefined ? verifyAgainstDummy(password) : verifyPassword(password, storedHash),
      );
    } catch (err) {
      attempt.cancel();
      throw err;
    }
    if (valid === BUSY) {
      attempt.cancel();
      return refuse(REASON.serverBusy, 'Server busy: too many logins in progress; retry shortly');
    }
    if (valid) attempt.succeeded();
    else attempt.failed();
    return valid;
  }

  function authenticateApiKey(ctx: ConnectContext, key: string): AuthenticateResult {
    const check = apiKeys.verify(key, 'mqtt');
    if (!check.ok) {
      if (check.reason === 'unknown API key') {
        failures.recordFailure(API_KEY_USERNAME, ctx.remoteAddress);
        return refuse(REASON.badCredentials, 'Bad user name or password');
      }
      return refuse(REASON.notAuthorized, `Not authorized: ${check.reason}`);
    }
    failures.recordSuccess(API_KEY_USERNAME, ctx.remoteAddress);
    const account = accounts.require(check.row.account_id);
    return admit(
      ctx,
      account,
      {
        kind: 'api-key',
        username: API_KEY_USERNAME,
        attributes: { apiKeyId: check.row.id, apiKeyName: check.row.name },
      },
      null,
    );
  }

  async function authenticate(ctx: ConnectContext): Promise<AuthenticateResult> {
    const username = ctx.username;
    if (username === undefined || username === '') {
      if (deps.allowAnonymous) {
        return { ok: true, principal: { kind: 'anonymous', accountId: null, topicPrefix: '' } };
      }
      return refuse(REASON.notAuthorized, 'Not authorized: a username is required');
    }
    const lockedMs = failures.lockedFor(username, ctx.remoteAddress);
    if (lockedMs > 0) {
      return refuse(
        REASON.notAuthorized,
        `Not authorized: too many failed logins from ${ctx.remoteAddress}; retry in ${Math.ceil(lockedMs / 1000)} s`,
      );
    }
    const password = ctx.password?.toString('utf8') ?? '';
    if (username === API_KEY_USERNAME) return authenticateApiKey(ctx, password);

    const found = credentials.byUsername(username);
    // A password that recently passed scrypt costs nothing to check again, even from a busy address.
    if (!found || !deps.verified.has(found.id, found.password_hash, password)) {
      const checked = await checkPassword(ctx, username, password, found?.password_hash);
      if (checked === false) return refuse(REASON.badCredentials, 'Bad user name or password');
      if (checked !== true) return checked;
    } else failures.recordSuccess(username, ctx.remoteAddress);
    const credential = found && credentials.row(found.id);
    // Re-read: the credential may have changed while the hash was computed.
    if (!credential || credential.password_hash !== found.password_hash) {
      return refuse(REASON.badCredentials, 'Bad user name or password');
    }
    deps.verified.remember(credential.id, credential.password_hash, password);
    if (!credential.enabled)
      return refuse(REASON.notAuthorized, `Not authorized: credential "${username}" is disabled`);
    if (credential.expires_at !== null && credential.expires_at <= deps.now()) {
      return refuse(REASON.notAuthorized, `Not authorized: credential "${username}" has expired`);
    }
    const result = admit(
      ctx,
      accounts.require(credential.account_id),
      { kind: 'device', username, attributes: { credentialId: credential.id } },
      { id: credential.id, username },
    );
    if (result.ok) credentials.markUsed(credential.id);
    return result;
  }

  function toResult(decision: ReturnType<Authorizer['decide']>): AuthorizeResult {
    return decision.allowed
      ? true
      : { reasonCode: REASON.notAuthorized, reasonString: `Not authorized: ${decision.reason}` };
  }

  return {
    authenticate,
    // Synchronous on purpose: the broker does not cache synchronous answers, so changes apply at once.
    authorizePublish: (client, topic) => toResult(authorizer.decide(client, 'publish', topic)),
    authorizeSubscribe: (client, filter) => toResult(authorizer.decide(client, 'subscribe', filter)),
    // Narrowed rules also stop messages for subscriptions made before the change.
    authorizeDelivery: (client, topic) => (authorizer.mayReceive(client, topic) ? true : DELIVERY_REFUSED),
  };
}
