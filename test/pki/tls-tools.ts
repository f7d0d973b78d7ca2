import type net from 'node:net';
import tls from 'node:tls';
import { run } from '../helpers/process';

export interface ClientIdentity {
  cert: string;
  key: string;
}

export type HandshakeOutcome = { ok: true; greeting: string } | { ok: false; error: string };

export interface MutualTlsServer {
  server: tls.Server;
  port: number;
  /**
   * Why the server refused each rejected client. Node checks the client chain after the handshake
   * and just drops the connection (no TLS alert), so the reason is only visible server-side.
   */
  rejections: string[];
  /** Peer certificates of accepted clients, as Node hands them to the broker. */
  peers: tls.PeerCertificate[];
}

/** Starts a mutual-TLS server that greets each authorized client with its CN, then closes. */
export async function startMutualTlsServer(options: tls.SecureContextOptions): Promise<MutualTlsServer> {
  const rejections: string[] = [];
  const peers: tls.PeerCertificate[] = [];
  const server = tls.createServer({ ...options, requestCert: true, rejectUnauthorized: true }, (socket) => {
    const peer = socket.getPeerCertificate();
    peers.push(peer);
    socket.end(`hello ${peer.subject?.CN ?? '?'}\n`);
  });
  server.on('tlsClientError', (err, socket) => {
    rejections.push(String(socket.authorizationError ?? err.message));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { server, port: (server.address() as net.AddressInfo).port, rejections, peers };
}

export function closeServer(server: net.Server): Promise<void> {
  return new Promise((resolve) => server.close(() => resolve()));
}

/** Connects with Node's tls and reports whether the server accepted the client certificate. */
export function nodeHandshake(port: number, ca: string, identity: ClientIdentity): Promise<HandshakeOutcome> {
  return new Promise((resolve) => {
    let data = '';
    let settled = false;
    const finish = (outcome: HandshakeOutcome) => {
      if (settled) return;
      settled = true;
      socket.destroy();
      resolve(outcome);
    };
    const socket = tls.connect({ host: '127.0.0.1', port, servername: 'localhost', ca, ...identity });
    socket.setEncoding('utf8');
    socket.on('data', (chunk: string) => {
      data += chunk;
      if (data.includes('\n')) finish({ ok: true, greeting: data.trim() });
    });
    socket.on('error', (err) => finish({ ok: false, error: err.message }));
    socket.on('close', () =>
      finish(data ? { ok: true, greeting: data.trim() } : { ok: false, error: 'closed without data' }),
    );
    socket.setTimeout(20_000, () => finish({ ok: false, error: 'timeout' }));
  });
}

/** The same with `openssl s_client`, a TLS stack other than Node's client side. */
export async function opensslHandshake(
  port: number,
  files: { caFile: string; certFile: string; keyFile: string },
): Promise<HandshakeOutcome> {
  const result = await run('openssl', [
    's_client',
    '-connect',
    `127.0.0.1:${port}`,
    '-servername',
    'localhost',
    '-CAfile',
    files.caFile,
    '-cert',
    files.certFile,
    '-key',
    files.keyFile,
    '-verify_return_error',
    '-ign_eof',
  ]);
  const greeting = /^hello .*$/m.exec(result.stdout)?.[0];
  return greeting ? { ok: true, greeting } : { ok: false, error: `${result.stderr}\n${result.stdout}` };
}
