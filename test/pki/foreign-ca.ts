import fs from 'node:fs';
import path from 'node:path';
import { run } from '../helpers/process';

/** A CA made by the openssl CLI, standing in for a tenant's own PKI. */
export interface OpensslCa {
  dir: string;
  certFile: string;
  keyFile: string;
  certPem: string;
}

async function must(args: string[]): Promise<void> {
  const result = await run('openssl', args);
  if (result.code !== 0) throw new Error(`openssl ${args[0]} failed: ${result.stderr}`);
}

export async function opensslCa(
  dir: string,
  name: string,
  options: { ca?: boolean; days?: number } = {},
): Promise<OpensslCa> {
  fs.mkdirSync(dir, { recursive: true });
  const certFile = path.join(dir, `${name}.pem`);
  const keyFile = path.join(dir, `${name}.key`);
  const isCa = options.ca ?? true;
  await must([
    'req',
    '-x509',
    '-newkey',
    'ec',
    '-pkeyopt',
    'ec_paramgen_curve:P-256',
    '-nodes',
    '-keyout',
    keyFile,
    '-out',
    certFile,
    '-subj',
    `/O=Tenant/CN=${name}`,
    '-days',
    String(options.days ?? 30),
    '-addext',
    `basicConstraints=critical,CA:${isCa ? 'TRUE' : 'FALSE'}`,
    '-addext',
    isCa ? 'keyUsage=critical,keyCertSign,cRLSign' : 'keyUsage=critical,digitalSignature',
  ]);
  return { dir, certFile, keyFile, certPem: fs.readFileSync(certFile, 'utf8') };
}

/** A leaf certificate signed by `ca` with the given CN (and clientAuth EKU unless told otherwise). */
export async function opensslLeaf(
  ca: OpensslCa,
  name: string,
  commonName: string,
  eku = 'clientAuth',
): Promise<{ certFile: string; keyFile: string; certPem: string; keyPem: string }> {
  const keyFile = path.join(ca.dir, `${name}.key`);
  const csrFile = path.join(ca.dir, `${name}.csr`);
  const certFile = path.join(ca.dir, `${name}.pem`);
  const extFile = path.join(ca.dir, `${name}.ext`);
  fs.writeFileSync(
    extFile,
    `basicConstraints=CA:FALSE\nkeyUsage=critical,digitalSignature\nextendedKeyUsage=${eku}\n`,
  );
  await must([
    'req',
    '-new',
    '-newkey',
    'ec',
    '-pkeyopt',
    'ec_paramgen_curve:P-256',
    '-nodes',
    '-keyout',
    keyFile,
    '-out',
    csrFile,
    '-subj',
    `/CN=${commonName}`,
  ]);
  await must([
    'x509',
    '-req',
    '-in',
    csrFile,
    '-CA',
    ca.certFile,
    '-CAkey',
    ca.keyFile,
    '-set_serial',
    `0x${Date.now().toString(16)}${Math.floor(Math.random() * 1e6).toString(16)}`,
    '-days',
    '10',
    '-extfile',
    extFile,
    '-out',
    certFile,
  ]);
  return {
    certFile,
    keyFile,
    certPem: fs.readFileSync(certFile, 'utf8'),
    keyPem: fs.readFileSync(keyFile, 'utf8'),
  };
}

/** An (empty) CRL signed by the openssl CA, via a throw-away `openssl ca` configuration. */
export async function opensslCrl(ca: OpensslCa): Promise<string> {
  const conf = path.join(ca.dir, 'ca.cnf');
  fs.writeFileSync(path.join(ca.dir, 'index.txt'), '');
  fs.writeFileSync(path.join(ca.dir, 'crlnumber'), '01\n');
  fs.writeFileSync(
    conf,
    `[ca]\ndefault_ca = d\n[d]\ndatabase = ${ca.dir}/index.txt\ncrlnumber = ${ca.dir}/crlnumber\n` +
      'default_md = sha256\ndefault_crl_days = 30\n',
  );
  const out = path.join(ca.dir, 'crl.pem');
  await must(['ca', '-gencrl', '-config', conf, '-keyfile', ca.keyFile, '-cert', ca.certFile, '-out', out]);
  return fs.readFileSync(out, 'utf8');
}
