import crypto from 'node:crypto';
import net from 'node:net';
import type { Duplex } from 'node:stream';
import tls from 'node:tls';
import mqttPacket from 'mqtt-packet';
import { createWebSocketStream, WebSocket } from 'ws';
import type { EndpointScheme } from '../../preload/contract/tenancy';

export interface ProbeTarget {
  scheme: EndpointScheme;
  host: string;
  port: number;
  /** WebSocket path (default /mqtt). */
  path?: string;
  /** TLS server name when `host` is a resolved address. */
  servername?: string;
}

export interface ProbeResult {
  ok: boolean;
  detail: string;
  reasonCode?: number;
  elapsedMs: number;
}

const CONNACK_TEXT: Record<number, string> = {
  0: 'accepted',
  1: 'unacceptable protocol version',
  2: 'identifier rejected',
  3: 'server unavailable',
  4: 'bad user name or password',
  5: 'not authorized',
};

function open(target: ProbeTarget): Duplex {
  const name = target.servername ?? target.host;
  const servername = net.isIP(name) ? undefined : name;
  switch (target.scheme) {
    case 'mqtt':
      return net.connect({ host: target.host, port: target.port });
    case 'mqtts':
      // Reachability, not trust: the certificate is reported, not required.
      return tls.connect({ host: target.host, port: target.port, servername, rejectUnauthorized: false });
    case 'ws':
    case 'wss': {
      const url = `${target.scheme}://${net.isIPv6(target.host) ? `[${target.host}]` : target.host}:${target.port}${target.path ?? '/mqtt'}`;
      const ws = new WebSocket(url, 'mqtt', { rejectUnauthorized: false, handshakeTimeout: 30_000 });
      return createWebSocketStream(ws);
    }
  }
}

/**
 * Opens a connection, sends an anonymous MQTT 3.1.1 CONNECT and waits for any CONNACK.
 * Even "not authorized" proves that an MQTT server answers on the endpoint.
 */
export function probeMqtt(target: ProbeTarget, timeoutMs: number): Promise<ProbeResult> {
  const started = performance.now();
  const elapsed = () => Math.round(performance.now() - started);
  return new Promise((resolve) => {
    let settled = false;
    let stream: Duplex | undefined;
    const finish = (result: Omit<ProbeResult, 'elapsedMs'>) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      stream?.destroy();
      resolve({ ...result, elapsedMs: elapsed() });
    };
    const timer = setTimeout(
      () => finish({ ok: false, detail: `no CONNACK within ${timeoutMs} ms` }),
      timeoutMs,
    );
    try {
      stream = open(target);
    } catch (err) {
      finish({ ok: false, detail: `could not open a connection: ${(err as Error).message}` });
      return;
    }
    const parser = mqttPacket.parser({ protocolVersion: 4 });
    parser.on('packet', (packet) => {
      if (packet.cmd !== 'connack') return;
      const code = packet.returnCode ?? packet.reasonCode ?? 0;
      finish({
        ok: true,
        reasonCode: code,
        detail: `MQTT server answered CONNACK (${CONNACK_TEXT[code] ?? `code ${code}`})`,
      });
    });
    parser.on('error', (err) => finish({ ok: false, detail: `unexpected reply: ${err.message}` }));
    stream.on('data', (chunk: Buffer) => parser.parse(chunk));
    stream.on('error', (err: NodeJS.ErrnoException) => {
      if (/CERTIFICATE_REQUIRED|HANDSHAKE_FAILURE|BAD_CERTIFICATE/.test(err.code ?? '')) {
        finish({ ok: true, detail: `TLS server answered but requires a client certificate (${err.code})` });
      } else finish({ ok: false, detail: `connection failed: ${err.message}` });
    });
    stream.on('close', () => finish({ ok: false, detail: 'connection closed before any CONNACK' }));
    const connect = mqttPacket.generate({
      cmd: 'connect',
      protocolId: 'MQTT',
      protocolVersion: 4,
      clean: true,
      keepalive: 10,
      clientId: `fieldbench-probe-${crypto.randomBytes(4).toString('hex')}`,
    });
    stream.write(connect);
  });
}
