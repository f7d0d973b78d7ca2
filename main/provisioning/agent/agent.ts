import crypto, { X509Certificate } from 'node:crypto';
import type { IClientOptions, MqttClient } from 'mqtt';
import { subtle, x509 } from '../../pki/x509';
import type { ProvisionMessage, WireFormat } from '../protocol';
import type { DeviceIdentity, ProvisionBundle } from './bundle';
import { closeMqtt, connectMqtt, ProvisioningRefused, ProvisionSession } from './session';

export interface ReceivedFile {
  kind: 'configuration' | 'application';
  name: string;
  sha256: string;
  content: Buffer;
}

/** The identity and settings a provisioned device uses with its own account. */
export interface DeviceConfiguration {
  brokerUrl: string;
  accountName: string;
  clientId: string;
  username?: string;
  password?: string;
  certificatePem?: string;
  privateKeyPem?: string;
  caChainPem: string;
  signingCertificatePem: string;
}

export interface AgentOptions {
  /** CA certificates (PEM) the device trusts: for the provision broker's TLS and `ca-authentication`. */
  trustedCaPem?: string;
  /** Wire format of the requests (replies come in the same one). Default `json`. */
  format?: WireFormat;
  /** Generate a key pair on the device and send a CSR instead of asking for a password credential. */
  csr?: boolean;
  /** Extra MQTT options for both connections (e.g. `servername`, `protocolVersion`). */
  mqtt?: IClientOptions;
  /** Installs one received file; throwing reports FAILED to Fieldbench. */
  install?: (file: ReceivedFile) => void | Promise<void>;
  /** Called at each step, for logs and simulators. */
  onStep?: (step: string, detail?: string) => void;
  /** Keep the connection to the target account open and return it (default: close it). */
  keepTargetConnection?: boolean;
  signal?: AbortSignal;
}

export interface AgentResult {
  /** The bundle to save: `enabled` false, `provisioned` true. */
  bundle: ProvisionBundle;
  configuration: DeviceConfiguration;
  files: ReceivedFile[];
  attempts: number;
  target?: MqttClient;
}

/** An error no retry can fix (bad settings, untrusted CA chain). */
export class AgentConfigurationError extends Error {
  override name = 'AgentConfigurationError';
}

const PEM_CERT = /-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g;

/** True when the root of `chainPem` (its self-signed certificate) is one of the trusted CAs. */
export function chainRootIsTrusted(chainPem: string, trustedPem: string): boolean {
  const trusted = new Set(
    (trustedPem.match(PEM_CERT) ?? []).map((p) => new X509Certificate(p).fingerprint256),
  );
  const chain = (chainPem.match(PEM_CERT) ?? []).map((p) => new X509Certificate(p));
  const root = chain.find((c) => c.issuer === c.subject && c.verify(c.publicKey));
  if (!root || !trusted.has(root.fingerprint256)) return false;
  // Every other certificate must be issued within the chain.
  return chain.every((c) => c === root || chain.some((issuer) => issuer !== c && c.checkIssued(issuer)));
}

async function generateCsr(clientId: string): Promise<{ csrPem: string; privateKeyPem: string }> {
  const algorithm = { name: 'ECDSA', namedCurve: 'P-256' };
  const keys = (await subtle.generateKey(algorithm, true, ['sign', 'verify'])) as CryptoKeyPair;
  const csr = await x509.Pkcs10CertificateRequestGenerator.create({
    name: `CN=${clientId}`,
    keys: keys as never,
    signingAlgorithm: { name: 'ECDSA', hash: 'SHA-256' },
  });
  const pkcs8 = Buffer.from(await subtle.exportKey('pkcs8', keys.privateKey));
  const privateKeyPem = crypto.createPrivateKey({ key: pkcs8, format: 'der', type: 'pkcs8' }).export({
    type: 'pkcs8',
    format: 'pem',
  }) as string;
  return { csrPem: csr.toString('pem'), privateKeyPem };
}
type CryptoKeyPair = Awaited<ReturnType<typeof subtle.generateKey>> & {
  privateKey: Parameters<typeof subtle.exportKey>[1];
};

function configurationOf(reply: ProvisionMessage, privateKeyPem?: string): DeviceConfiguration {
  const m = reply.metrics;
  const str = (name: string) => (typeof m[name] === 'string' ? (m[name] as string) : undefined);
  const brokerUrl = str('config.broker.url');
  const accountName = str('config.account.name');
  const clientId = str('config.client.id');
  const caChainPem = str('ca.chain');
  if (!brokerUrl || !accountName || !clientId || !caChainPem) {
    throw new Error('the provision reply lacks the broker URL, account, client id or CA chain');
  }
  return {
    brokerUrl,
    accountName,
    clientId,
    username: str('config.username'),
    password: str('config.password'),
    certificatePem: str('config.certificate'),
    privateKeyPem: str('config.certificate') ? privateKeyPem : undefined,
    caChainPem,
    signingCertificatePem: str('signing.certificate') ?? '',
  };
}

async function fetchFiles(session: ProvisionSession, reply: ProvisionMessage): Promise<ReceivedFile[]> {
  const count = Number(reply.metrics['files.count'] ?? 0);
  const files: ReceivedFile[] = [];
  for (let index = 0; index < count; index++) {
    const chunks = Number(reply.metrics[`file.${index}.chunks`]);
    const parts: Buffer[] = [];
    for (let chunk = 0; chunk < chunks; chunk++) {
      const part = await session.request('file', { 'file.index': index, 'chunk.index': chunk });
      parts.push(part.body ?? Buffer.alloc(0));
    }
    const content = Buffer.concat(parts);
    const sha256 = crypto.createHash('sha256').update(content).digest('hex');
    if (sha256 !== reply.metrics[`file.${index}.sha256`]) {
      throw new Error(`file ${index} arrived corrupted (SHA-256 mismatch)`);
    }
    files.push({
      kind: reply.metrics[`file.${index}.kind`] === 'configuration' ? 'configuration' : 'application',
      name: String(reply.metrics[`file.${index}.name`]),
      sha256,
      content,
    });
  }
  return files;
}

/** Connects to the target account with the new identity: this is what completes the job. */
async function connectToTarget(config: DeviceConfiguration, options: AgentOptions, timeoutMs: number) {
  const credentials: IClientOptions = config.certificatePem
    ? { cert: config.certificatePem, key: config.privateKeyPem }
    : { username: config.username, password: config.password };
  return connectMqtt(
    config.brokerUrl,
    { ...options.mqtt, ...credentials, ca: config.caChainPem, clientId: config.clientId },
    timeoutMs,
  );
}

async function attemptOnce(bundle: ProvisionBundle, identity: DeviceIdentity, options: AgentOptions) {
  const step = options.onStep ?? (() => {});
  const timeoutMs = bundle.timeout * 1000;
  const session = await ProvisionSession.open(
    bundle['broker-url'],
    bundle['client-id'],
    {
      ...options.mqtt,
      username: bundle.username,
      password: bundle.password,
      // The transport may be verified with other CAs (options.mqtt.ca) than the chain check.
      ...(options.mqtt?.ca === undefined && options.trustedCaPem ? { ca: options.trustedCaPem } : {}),
    },
    options.format ?? 'json',
    timeoutMs,
  );
  step('CONNECTED');
  try {
    const keys = options.csr ? await generateCsr(bundle['client-id']) : undefined;
    const reply = await session.request('provision', {
      ...(bundle['activation-key'] ? { 'activation.key': bundle['activation-key'] } : {}),
      'device.mac': identity.mac,
      'device.serial': identity.serial,
      'device.model': identity.model,
      'device.firmware': identity.firmware,
      ...(keys ? { csr: keys.csrPem } : {}),
    });
    step('RUNNING');
    const config = configurationOf(reply, keys?.privateKeyPem);
    if (bundle['ca-authentication'] && !chainRootIsTrusted(config.caChainPem, options.trustedCaPem ?? '')) {
      await session
        .request('stage', { stage: 'FAILED', reason: 'the received CA chain is not trusted' })
        .catch(() => {});
      throw new AgentConfigurationError('the CA chain Fieldbench sent does not end in a trusted root');
    }
    await session.request('stage', { stage: 'CONF_UPDATING' });
    const files = await fetchFiles(session, reply);
    for (const file of files.filter((f) => f.kind === 'configuration')) await options.install?.(file);
    await session.request('stage', { stage: 'CONF_UPDATED' });
    step('CONF_UPDATED');
    await session.request('stage', { stage: 'APPS_INSTALLING' });
    try {
      for (const file of files.filter((f) => f.kind === 'application')) await options.install?.(file);
    } catch (err) {
      await session.request('stage', { stage: 'FAILED', reason: (err as Error).message }).catch(() => {});
      throw err;
    }
    await session.request('stage', { stage: 'APPS_INSTALLED' });
    step('APPS_INSTALLED');
    await session.close();
    const target = await connectToTarget(config, options, timeoutMs);
    step('CONNECTED_TO_ACCOUNT', config.accountName);
    if (!options.keepTargetConnection) await closeMqtt(target);
    return { config, files, target: options.keepTargetConnection ? target : undefined };
  } finally {
    if (session.client.connected) session.client.end(true);
  }
}

const sleep = (ms: number, signal?: AbortSignal) =>
  new Promise<void>((resolve) => {
    const timer = setTimeout(resolve, ms);
    signal?.addEventListener('abort', () => {
      clearTimeout(timer);
      resolve();
    });
  });

/**
 * The device side of provisioning: connects to the provision broker with the bundle's throw-away
 * credentials, sends its provision message, applies the configuration and files it receives, reports
 * each stage and reconnects to its own account with the new identity. Retries every `retry-interval`
 * seconds up to `retry-max-attempts` (−1 = forever). A bundle already provisioned or disabled is
 * returned unchanged with no configuration.
 */
export async function runProvisioningAgent(
  bundle: ProvisionBundle,
  identity: DeviceIdentity,
  options: AgentOptions = {},
): Promise<AgentResult> {
  if (!bundle.enabled || bundle.provisioned) {
    throw new AgentConfigurationError('the provision bundle is disabled or already provisioned');
  }
  if (bundle['ca-authentication'] && !options.trustedCaPem) {
    throw new AgentConfigurationError('ca-authentication needs trusted CA certificates (trustedCaPem)');
  }
  const max = bundle['retry-max-attempts'];
  let attempts = 0;
  let lastError: unknown;
  while ((max < 0 || attempts < max) && !options.signal?.aborted) {
    attempts++;
    try {
      const { config, files, target } = await attemptOnce(bundle, identity, options);
      return {
        bundle: { ...bundle, enabled: false, provisioned: true },
        configuration: config,
        files,
        attempts,
        target,
      };
    } catch (err) {
      lastError = err;
      if (err instanceof AgentConfigurationError) throw err;
      if (err instanceof ProvisioningRefused && err.error === 'RETRIES_EXHAUSTED') throw err;
      options.onStep?.('RETRY', (err as Error).message);
      if (max >= 0 && attempts >= max) break;
      // Jitter spreads a fleet that failed together (e.g. refused as busy) over the interval.
      await sleep(bundle['retry-interval'] * 1000 * (0.5 + Math.random()), options.signal);
    }
  }
  throw lastError instanceof Error ? lastError : new Error('provisioning was aborted');
}
