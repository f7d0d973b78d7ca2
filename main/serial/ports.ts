import fs from 'node:fs';
import path from 'node:path';
import { SerialPort } from 'serialport';

export interface SerialPortInfo {
  path: string;
  /** The stable /dev/serial/by-id name, when there is one. */
  byId: string | null;
  vendorId: string | null;
  productId: string | null;
  serialNumber: string | null;
  manufacturer: string | null;
  /** `serialport` (udev), `scan` (device files) or `operator` (a path added by hand, e.g. a PTY link). */
  source: 'serialport' | 'scan' | 'operator';
  /** Opened by Fieldbench (a console or a run), or locked by another program. */
  inUse: 'fieldbench' | 'other' | null;
}

const SCAN_PATTERNS = [/^ttyUSB\d+$/, /^ttyACM\d+$/, /^ttyAMA\d+$/, /^rfcomm\d+$/, /^cu\.usb/];
const MAX_OPERATOR_PATHS = 64;

export interface DiscoveryOptions {
  devDir?: string;
  /** Replaces `SerialPort.list` (which needs udevadm on Linux). */
  list?: () => Promise<Array<Record<string, string | undefined>>>;
}

/** Reads /dev/serial/by-id links: device path → by-id path. */
function byIdLinks(devDir: string): Map<string, string> {
  const dir = path.join(devDir, 'serial', 'by-id');
  const links = new Map<string, string>();
  try {
    for (const name of fs.readdirSync(dir)) {
      const link = path.join(dir, name);
      try {
        links.set(fs.realpathSync(link), link);
      } catch {
        // A dangling link: the device went away between readdir and realpath.
      }
    }
  } catch {
    // No by-id directory (no USB serial devices, or not Linux).
  }
  return links;
}

/**
 * Serial ports on this machine. `SerialPort.list()` needs udevadm on Linux and throws without it; then the
 * device files are scanned instead, and the by-id names give what details they carry.
 */
export class PortDiscovery {
  private readonly operatorPaths = new Set<string>();
  private readonly devDir: string;
  private readonly list: NonNullable<DiscoveryOptions['list']>;
  lastListError: string | null = null;

  constructor(options: DiscoveryOptions = {}) {
    this.devDir = options.devDir ?? '/dev';
    this.list = options.list ?? (() => SerialPort.list() as never);
  }

  addPath(p: string): void {
    if (!path.isAbsolute(p)) throw new Error('a serial port path must be absolute');
    if (this.operatorPaths.size >= MAX_OPERATOR_PATHS) throw new Error('too many added serial port paths');
    this.operatorPaths.add(p);
  }

  removePath(p: string): boolean {
    return this.operatorPaths.delete(p);
  }

  async discover(inUse: (p: string) => SerialPortInfo['inUse'] = () => null): Promise<SerialPortInfo[]> {
    const found = new Map<string, SerialPortInfo>();
    const links = byIdLinks(this.devDir);
    const blank = (p: string, source: SerialPortInfo['source']): SerialPortInfo => ({
      path: p,
      byId: links.get(p) ?? null,
      vendorId: null,
      productId: null,
      serialNumber: null,
      manufacturer: null,
      source,
      inUse: inUse(p),
    });
    try {
      for (const info of await this.list()) {
        if (!info['path']) continue;
        found.set(info['path'], {
          ...blank(info['path'], 'serialport'),
          vendorId: info['vendorId'] ?? null,
          productId: info['productId'] ?? null,
          serialNumber: info['serialNumber'] ?? null,
          manufacturer: info['manufacturer'] ?? null,
        });
      }
      this.lastListError = null;
    } catch (err) {
      this.lastListError = (err as Error).message;
    }
    try {
      for (const name of fs.readdirSync(this.devDir)) {
        const p = path.join(this.devDir, name);
        if (!found.has(p) && SCAN_PATTERNS.some((re) => re.test(name))) found.set(p, blank(p, 'scan'));
      }
    } catch {
      // The device directory is unreadable: only the operator's paths remain.
    }
    for (const p of links.keys()) if (!found.has(p)) found.set(p, blank(p, 'scan'));
    for (const p of this.operatorPaths) {
      if (found.has(p) || !fs.existsSync(p)) continue;
      found.set(p, blank(p, 'operator'));
    }
    for (const info of found.values()) if (info.byId) Object.assign(info, detailsFromById(info.byId, info));
    return [...found.values()].sort((a, b) => a.path.localeCompare(b.path));
  }
}

/** `usb-FTDI_FT232R_USB_UART_A50285BI-if00-port0` → manufacturer FTDI, serial A50285BI (when unknown). */
function detailsFromById(byId: string, info: SerialPortInfo): Partial<SerialPortInfo> {
  const m = /^usb-([^_]+)_(.+)_([^_-]+)-if\d+/.exec(path.basename(byId));
  if (!m) return {};
  return { manufacturer: info.manufacturer ?? m[1]!, serialNumber: info.serialNumber ?? m[3]! };
}

export interface PortChange {
  ports: SerialPortInfo[];
  added: string[];
  removed: string[];
}

/** Polls discovery (hot-plug without udev) and reports the list when it changes. */
export class PortWatcher {
  private timer: NodeJS.Timeout | undefined;
  private last = '';
  private known = new Set<string>();
  private polling = false;

  constructor(
    private readonly discovery: PortDiscovery,
    private readonly inUse: (p: string) => SerialPortInfo['inUse'],
    private readonly onChange: (change: PortChange) => void,
    private readonly intervalMs = 1000,
  ) {}

  start(): void {
    if (this.timer) return;
    this.timer = setInterval(() => void this.poll(), this.intervalMs);
    this.timer.unref();
    void this.poll();
  }

  async poll(): Promise<SerialPortInfo[]> {
    if (this.polling) return [];
    this.polling = true;
    try {
      const ports = await this.discovery.discover(this.inUse);
      const key = JSON.stringify(ports);
      if (key !== this.last) {
        const now = new Set(ports.map((p) => p.path));
        const added = [...now].filter((p) => !this.known.has(p));
        const removed = [...this.known].filter((p) => !now.has(p));
        this.last = key;
        this.known = now;
        this.onChange({ ports, added, removed });
      }
      return ports;
    } finally {
      this.polling = false;
    }
  }

  stop(): void {
    clearInterval(this.timer);
    this.timer = undefined;
  }
}
