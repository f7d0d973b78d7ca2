import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';

/** File paths of one generated key pair and certificate. */
export interface CertFiles {
  cert: string;
  key: string;
}

export interface TestPki {
  dir: string;
  ca: string;
  otherCa: string;
  server: CertFiles;
  /** A second server certificate from the same CA, for hot-swap tests (CN fieldbench-server-2). */
  server2: CertFiles;
  /** Server certificate for the SNI name `alt.fieldbench.test`. */
  serverAlt: CertFiles;
  client: CertFiles;
  clientOtherCa: CertFiles;
  clientExpired: CertFiles;
  clientRevoked: CertFiles;
  /** Certificate whose extended key usage is serverAuth only. */
  clientWrongEku: CertFiles;
  crl: string;
  read(file: string): string;
}

const CA_CONFIG = `
[ ca ]
default_ca = test_ca
[ test_ca ]
dir = DIR
database = $dir/index.txt
new_certs_dir = $dir/issued
serial = $dir/serial
crlnumber = $dir/crlnumber
default_md = sha256
default_days = 30
default_crl_days = 30
policy = any
copy_extensions = none
unique_subject = no
[ any ]
commonName = supplied
[ server ]
basicConstraints = CA:FALSE
keyUsage = digitalSignature, keyEncipherment
extendedKeyUsage = serverAuth
subjectAltName = DNS:localhost, IP:127.0.0.1
[ server_alt ]
basicConstraints = CA:FALSE
keyUsage = digitalSignature, keyEncipherment
extendedKeyUsage = serverAuth
subjectAltName = DNS:alt.fieldbench.test
[ client ]
basicConstraints = CA:FALSE
keyUsage = digitalSignature, keyEncipherment
extendedKeyUsage = clientAuth
[ client_wrong_eku ]
basicConstraints = CA:FALSE
keyUsage = digitalSignature, keyEncipherment
extendedKeyUsage = serverAuth
[ ca_ext ]
basicConstraints = critical, CA:TRUE
keyUsage = critical, keyCertSign, cRLSign
subjectKeyIdentifier = hash
`;

function openssl(args: string[], cwd: string): void {
  execFileSync('openssl', args, { cwd, stdio: ['ignore', 'ignore', 'pipe'] });
}

function makeCa(dir: string, name: string): string {
  const caDir = path.join(dir, name);
  fs.mkdirSync(path.join(caDir, 'issued'), { recursive: true });
  fs.writeFileSync(path.join(caDir, 'index.txt'), '');
  fs.writeFileSync(path.join(caDir, 'serial'), '1000\n');
  fs.writeFileSync(path.join(caDir, 'crlnumber'), '1000\n');
  fs.writeFileSync(path.join(caDir, 'ca.cnf'), CA_CONFIG.replace('DIR', caDir));
  openssl(
    ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-days', '30']
      .concat(['-subj', `/CN=${name}`, '-keyout', 'ca.key', '-out', 'ca.pem'])
      .concat(['-config', 'ca.cnf', '-extensions', 'ca_ext']),
    caDir,
  );
  return caDir;
}

function issue(
  caDir: string,
  name: string,
  extensions: string,
  validity: string[] = ['-days', '30'],
): CertFiles {
  const key = path.join(caDir, `${name}.key`);
  const csr = path.join(caDir, `${name}.csr`);
  const cert = path.join(caDir, `${name}.pem`);
  openssl(
    ['req', '-new', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes'].concat([
      '-subj',
      `/CN=${name}`,
      '-keyout',
      key,
      '-out',
      csr,
    ]),
    caDir,
  );
  openssl(
    ['ca', '-batch', '-config', 'ca.cnf', '-cert', 'ca.pem', '-keyfile', 'ca.key', '-notext'].concat(
      ['-extensions', extensions, '-in', csr, '-out', cert],
      validity,
    ),
    caDir,
  );
  return { cert, key };
}

/** A throwaway CA with server and client certificates (valid, expired, revoked, wrong EKU) made with the openssl CLI. */
export function createTestPki(dir: string): TestPki {
  const caDir = makeCa(dir, 'test-ca');
  const otherDir = makeCa(dir, 'other-ca');
  const server = issue(caDir, 'fieldbench-server', 'server');
  const server2 = issue(caDir, 'fieldbench-server-2', 'server');
  const serverAlt = issue(caDir, 'fieldbench-server-alt', 'server_alt');
  const client = issue(caDir, 'device-1', 'client');
  const clientRevoked = issue(caDir, 'device-revoked', 'client');
  const clientWrongEku = issue(caDir, 'device-wrong-eku', 'client_wrong_eku');
  const clientExpired = issue(caDir, 'device-expired', 'client', [
    '-startdate',
    '20200101000000Z',
    '-enddate',
    '20200201000000Z',
  ]);
  const clientOtherCa = issue(otherDir, 'device-other', 'client');
  openssl(
    ['ca', '-config', 'ca.cnf', '-cert', 'ca.pem', '-keyfile', 'ca.key', '-revoke', clientRevoked.cert],
    caDir,
  );
  const crl = path.join(caDir, 'crl.pem');
  openssl(
    ['ca', '-config', 'ca.cnf', '-cert', 'ca.pem', '-keyfile', 'ca.key', '-gencrl', '-out', crl],
    caDir,
  );
  return {
    dir,
    ca: path.join(caDir, 'ca.pem'),
    otherCa: path.join(otherDir, 'ca.pem'),
    server,
    server2,
    serverAlt,
    client,
    clientOtherCa,
    clientExpired,
    clientRevoked,
    clientWrongEku,
    crl,
    read: (file) => fs.readFileSync(file, 'utf8'),
  };
}
