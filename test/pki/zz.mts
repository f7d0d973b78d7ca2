import tls from 'node:tls';
import { makePki } from './helpers';
const f = await makePki();
const d = await f.pki.issueDeviceCertificate({ name: 'dev-ec' });
await f.pki.revoke(d.serial);
const e = f.pki.exportPem(d.serial, { includePrivateKey: true });
const s = await f.pki.issueServerCertificate({ dnsNames: ['localhost'], ipAddresses: ['127.0.0.1'] });
const c = f.pki.serverCredentials(s.serial);
const server = tls.createServer(
  { cert: c.cert, key: c.key, ...f.pki.tlsTrust(), requestCert: true, rejectUnauthorized: true },
  (sock) => sock.end('hello\n'),
);
server.on('tlsClientError', (err) => console.log('server err', err.message, (err as any).code));
server.listen(0, '127.0.0.1', () => {
  const port = (server.address() as any).port;
  const sock = tls.connect({
    host: '127.0.0.1',
    port,
    servername: 'localhost',
    ca: f.pki.caChainPem(),
    cert: e.certificatePem + e.chainPem,
    key: e.privateKeyPem!,
  });
  sock.on('secureConnect', () => console.log('secureConnect', sock.authorized, sock.authorizationError));
  sock.on('data', (d) => console.log('data', String(d)));
  sock.on('end', () => console.log('end'));
  sock.on('error', (err) => console.log('client err', err.message));
  sock.on('close', () => {
    console.log('close');
    server.close();
    f.close();
  });
});
