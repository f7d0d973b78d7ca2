import crypto, { type KeyObject } from 'node:crypto';
import type { Logger } from 'pino';
import type { AuthenticateResult, ConnectContext } from '../broker';
import type { AccountRow } from '../tenancy/accounts';
import type { AdmitToAccount } from '../tenancy';
import { parseClientId } from './ids';
import { type CandidateKey, verifyDeviceJwt } from './jwt';
import { type DevicePrincipalData, PRINCIPAL_ATTRIBUTE } from './live';
import type { GatewayRepository, KeyRow } from './repository';

const BAD_CREDENTIALS = 0x86;
const NOT_AUTHORIZED = 0x87;
const CLIENT_ID_NOT_VALID = 0x85;

export interface AuthDeps {
  repo: GatewayRepository;
  account: (id: string) => AccountRow | undefined;
  admit: AdmitToAccount;
  logger: Logger;
  now: () => number;
}

/** Parsed public keys by key id (they never change; a removed key simply stops being listed). */
class KeyCache {
  private readonly keys = new Map<string, KeyObject>();

  candidate(row: KeyRow): CandidateKey {
    let key = this.keys.get(row.id);
    if (!key) {
      key =
        row.form === 'x509' ? new crypto.X509Certificate(row.pem).publicKey : crypto.createPublicKey(row.pem);
      this.keys.set(row.id, key);
    }
    return { id: row.id, algorithm: row.algorithm, key, expiresAt: row.expires_at };
  }

  forget(id: string): void {
    this.keys.delete(id);
  }
}

export type DeviceAuthenticator = ReturnType<typeof createDeviceAuthenticator>;

/**
 * CONNECT for `subscriptions/…/devices/<d>` and `projects/…/devices/<d>` client ids: the password is
 * a JWT signed by one of the device's keys; then tenancy's admission (service, connection option).
 */
export function createDeviceAuthenticator(deps: AuthDeps) {
  const keys = new KeyCache();

  function refuse(ctx: ConnectContext, reasonCode: number, why: string): AuthenticateResult {
    deps.logger.info(
      { clientId: ctx.clientId, remoteAddress: ctx.remoteAddress, why },
      `device login refused: ${why}`,
    );
    return { ok: false, reasonCode, reasonString: why };
  }

  /** Verifies a device JWT for attach in the device-token modes. */
  async function verifyToken(
    accountId: string,
    accountName: string,
    registryId: string,
    deviceId: string,
    token: string,
  ) {
    const rows = deps.repo.keys(accountId, registryId, deviceId);
    return verifyDeviceJwt(
      token,
      rows.map((r) => keys.candidate(r)),
      accountName,
      deps.now(),
    );
  }

  async function authenticate(ctx: ConnectContext): Promise<AuthenticateResult> {
    const path = parseClientId(ctx.clientId);
    if (!path) {
      return refuse(
        ctx,
        CLIENT_ID_NOT_VALID,
        'the client id must be subscriptions/<account>/registries/<registry>/devices/<device> or projects/<account>/locations/<location>/registries/<registry>/devices/<device>',
      );
    }
    const accountId = deps.repo.accountIdByName(path.accountName);
    const account = accountId === undefined ? undefined : deps.account(accountId);
    const device = account && deps.repo.device(account.id, path.registryId, path.deviceId);
    if (!account || !device) {
      return refuse(
        ctx,
        BAD_CREDENTIALS,
        `unknown device "${path.deviceId}" in registry "${path.registryId}"`,
      );
    }
    if (device.blocked) return refuse(ctx, NOT_AUTHORIZED, `device "${path.deviceId}" is blocked`);
    const token = ctx.password?.toString('utf8') ?? '';
    const check = await verifyToken(account.id, account.name, path.registryId, path.deviceId, token);
    if (!check.ok) return refuse(ctx, BAD_CREDENTIALS, `${check.reason}: ${check.message}`);
    const data: DevicePrincipalData = {
      accountId: account.id,
      accountName: account.name,
      registryId: path.registryId,
      deviceId: path.deviceId,
      kind: device.kind,
      expiresAt: check.expiresAt,
    };
    const admitted = deps.admit(
      ctx,
      account,
      { kind: device.kind, attributes: { [PRINCIPAL_ATTRIBUTE]: data } },
      null,
    );
    if (!admitted.ok) return refuse(ctx, admitted.reasonCode, admitted.reasonString ?? 'not admitted');
    return admitted;
  }

  return { authenticate, verifyToken, forgetKey: (id: string) => keys.forget(id) };
}
