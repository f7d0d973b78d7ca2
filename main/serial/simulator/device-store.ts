import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { BUNDLE_KEYS, type ProvisionBundle } from '../../provisioning/agent';

/** What a simulated gateway keeps in flash: committed settings and files, and its provisioned identity. */
export interface DeviceFlash {
  generation: number;
  settings: Partial<ProvisionBundle>;
  files: Record<string, { sha256: string; contentBase64: string }>;
  privateKeyPem?: string;
  configuration?: {
    brokerUrl: string;
    accountName: string;
    clientId: string;
    username?: string;
    password?: string;
    certificatePem?: string;
    privateKeyPem?: string;
    caChainPem: string;
  };
}

export interface StagedFile {
  size: number;
  sha256: string;
  parts: Buffer[];
  received: number;
  complete: boolean;
}

export const MAX_FILE_BYTES = 256 * 1024;
export const MAX_STAGED_FILES = 8;

const emptyFlash = (): DeviceFlash => ({ generation: 0, settings: {}, files: {} });

/** The flash (a JSON state file, replaced atomically) and the RAM-only staging area. */
export class DeviceStore {
  flash: DeviceFlash;
  stagedSettings: Partial<ProvisionBundle> = {};
  stagedFiles = new Map<string, StagedFile>();
  stagedKey: string | undefined;

  constructor(readonly file: string) {
    try {
      this.flash = JSON.parse(fs.readFileSync(file, 'utf8')) as DeviceFlash;
    } catch {
      this.flash = emptyFlash();
    }
  }

  /** Write-to-temp then rename: the state file is either the old one or the new one, never a mix. */
  save(next: DeviceFlash): void {
    const tmp = path.join(path.dirname(this.file), `.${path.basename(this.file)}.${process.pid}.tmp`);
    fs.writeFileSync(tmp, JSON.stringify(next, null, 2));
    fs.renameSync(tmp, this.file);
    this.flash = next;
  }

  clearStaging(): void {
    this.stagedSettings = {};
    this.stagedFiles.clear();
    this.stagedKey = undefined;
  }

  stageSettings(input: Record<string, unknown>): string[] {
    const staged: string[] = [];
    for (const [key, value] of Object.entries(input)) {
      if (key.startsWith('x-')) {
        // Device-specific settings: short names, plain values, a handful at most.
        const extras = Object.keys(this.stagedSettings).filter((k) => k.startsWith('x-')).length;
        if (key.length > 32 || extras >= 16 || !['boolean', 'number', 'string'].includes(typeof value)) {
          throw new DeviceError('BAD_SETTING', `bad device setting ${key.slice(0, 32)}`);
        }
        (this.stagedSettings as Record<string, unknown>)[key] = value;
        staged.push(key);
        continue;
      }
      if (!(BUNDLE_KEYS as readonly string[]).includes(key))
        throw new DeviceError('BAD_SETTING', `unknown setting ${key}`);
      const example = EXAMPLE[key as keyof ProvisionBundle];
      if (typeof value !== typeof example)
        throw new DeviceError('BAD_SETTING', `${key} must be a ${typeof example}`);
      (this.stagedSettings as Record<string, unknown>)[key] = value;
      staged.push(key);
    }
    return staged;
  }

  beginFile(name: string, size: number, sha256: string): number {
    if (!/^[\w.-]{1,64}$/.test(name))
      throw new DeviceError('BAD_NAME', 'file names are 1–64 of [A-Za-z0-9_.-]');
    if (!Number.isInteger(size) || size < 0 || size > MAX_FILE_BYTES) {
      throw new DeviceError('TOO_LARGE', `files are at most ${MAX_FILE_BYTES} bytes`);
    }
    const existing = this.stagedFiles.get(name);
    if (existing && existing.sha256 === sha256 && existing.size === size) return existing.received;
    if (!existing && this.stagedFiles.size >= MAX_STAGED_FILES)
      throw new DeviceError('TOO_MANY', 'too many staged files');
    this.stagedFiles.set(name, { size, sha256, parts: [], received: 0, complete: false });
    return 0;
  }

  writeChunk(name: string, offset: number, data: Buffer): number {
    const file = this.stagedFiles.get(name);
    if (!file) throw new DeviceError('NO_FILE', `${name} was not begun (device restarted?)`);
    if (offset !== file.received) throw new DeviceError('OFFSET', `expected offset ${file.received}`);
    if (file.received + data.length > file.size)
      throw new DeviceError('TOO_LARGE', 'chunk past the announced size');
    file.parts.push(data);
    file.received += data.length;
    return file.received;
  }

  endFile(name: string): void {
    const file = this.stagedFiles.get(name);
    if (!file) throw new DeviceError('NO_FILE', `${name} was not begun`);
    const content = Buffer.concat(file.parts);
    const sha = crypto.createHash('sha256').update(content).digest('hex');
    if (file.received !== file.size || sha !== file.sha256) {
      this.stagedFiles.delete(name);
      throw new DeviceError('CHECKSUM', `${name}: SHA-256 mismatch, send it again`);
    }
    file.parts = [content];
    file.complete = true;
  }

  /** Applies everything staged in one atomic write, or nothing. */
  commit(): number {
    const incomplete = [...this.stagedFiles].filter(([, f]) => !f.complete).map(([n]) => n);
    if (incomplete.length > 0)
      throw new DeviceError('INCOMPLETE', `incomplete files: ${incomplete.join(', ')}`);
    const files = { ...this.flash.files };
    for (const [name, f] of this.stagedFiles) {
      files[name] = { sha256: f.sha256, contentBase64: f.parts[0]!.toString('base64') };
    }
    const next: DeviceFlash = {
      ...this.flash,
      generation: this.flash.generation + 1,
      settings: { ...this.flash.settings, ...this.stagedSettings },
      files,
      ...(this.stagedKey ? { privateKeyPem: this.stagedKey } : {}),
    };
    // New provisioning settings invalidate an earlier identity.
    if (Object.keys(this.stagedSettings).length > 0) delete next.configuration;
    this.save(next);
    this.clearStaging();
    return next.generation;
  }
}

export class DeviceError extends Error {
  constructor(
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

const EXAMPLE: ProvisionBundle = {
  enabled: true,
  provisioned: false,
  'ca-authentication': true,
  'broker-url': '',
  'account-name': '',
  username: '',
  password: '',
  'activation-key': '',
  'client-id': '',
  timeout: 0,
  'retry-interval': 0,
  'retry-max-attempts': 0,
};
