import crypto from 'node:crypto';
import forge from 'node-forge';

const { asn1 } = forge;
const OID = {
  data: '1.2.840.113549.1.7.1',
  shroudedKeyBag: '1.2.840.113549.1.12.10.1.2',
  certBag: '1.2.840.113549.1.12.10.1.3',
  x509Certificate: '1.2.840.113549.1.9.22.1',
  friendlyName: '1.2.840.113549.1.9.20',
  localKeyId: '1.2.840.113549.1.9.21',
  sha256: '2.16.840.1.101.3.4.2.1',
};
const ITERATIONS = 2048;
const MAC_KEY_ID = 3;

export interface Pkcs12Input {
  /** PKCS#8 DER of the private key (any algorithm: EC and RSA alike). */
  privateKeyPkcs8: Buffer;
  /** DER certificates, the key's certificate first, then its chain. */
  certificates: Buffer[];
  password: string;
  friendlyName?: string;
}

const bin = (b: Buffer) => b.toString('binary');
const seq = (items: forge.asn1.Asn1[]) => asn1.create(asn1.Class.UNIVERSAL, asn1.Type.SEQUENCE, true, items);
const set = (items: forge.asn1.Asn1[]) => asn1.create(asn1.Class.UNIVERSAL, asn1.Type.SET, true, items);
const oid = (o: string) =>
  asn1.create(asn1.Class.UNIVERSAL, asn1.Type.OID, false, asn1.oidToDer(o).getBytes());
const octets = (b: Buffer) => asn1.create(asn1.Class.UNIVERSAL, asn1.Type.OCTETSTRING, false, bin(b));
const explicit0 = (inner: forge.asn1.Asn1) => asn1.create(asn1.Class.CONTEXT_SPECIFIC, 0, true, [inner]);
const fromDer = (b: Buffer) => asn1.fromDer(forge.util.createBuffer(bin(b)));
const toDer = (node: forge.asn1.Asn1) => Buffer.from(asn1.toDer(node).getBytes(), 'binary');

function integer(n: number): forge.asn1.Asn1 {
  return asn1.create(asn1.Class.UNIVERSAL, asn1.Type.INTEGER, false, asn1.integerToDer(n).getBytes());
}

function bagAttributes(localKeyId: Buffer, friendlyName?: string): forge.asn1.Asn1 {
  const attrs = [seq([oid(OID.localKeyId), set([octets(localKeyId)])])];
  if (friendlyName) {
    // forge writes BMPSTRING values as UTF-16BE from the JS string itself.
    const name = asn1.create(asn1.Class.UNIVERSAL, asn1.Type.BMPSTRING, false, friendlyName);
    attrs.push(seq([oid(OID.friendlyName), set([name])]));
  }
  return set(attrs);
}

function dataContentInfo(content: Buffer): forge.asn1.Asn1 {
  return seq([oid(OID.data), explicit0(octets(content))]);
}

/**
 * Builds a password-protected PKCS#12 (PFX) file. node-forge's own PKCS#12 writer only handles RSA
 * keys, so the key bag carries a PBES2/AES-256-CBC encrypted PKCS#8 made by Node's crypto (any key
 * type), wrapped in PKCS#12 structures built with forge's ASN.1 tools and an HMAC-SHA256 MAC, the
 * same algorithms OpenSSL 3 uses by default.
 */
export function buildPkcs12(input: Pkcs12Input): Buffer {
  const [leaf] = input.certificates;
  if (!leaf) throw new Error('PKCS#12 needs at least the key certificate');
  const encryptedKey = crypto
    .createPrivateKey({ key: input.privateKeyPkcs8, format: 'der', type: 'pkcs8' })
    .export({ type: 'pkcs8', format: 'der', cipher: 'aes-256-cbc', passphrase: input.password });
  const localKeyId = crypto.createHash('sha1').update(leaf).digest();

  const keyBag = seq([
    oid(OID.shroudedKeyBag),
    explicit0(fromDer(encryptedKey)),
    bagAttributes(localKeyId, input.friendlyName),
  ]);
  const certBags = input.certificates.map((der, i) => {
    const certBag = seq([oid(OID.x509Certificate), explicit0(octets(der))]);
    const bag = [oid(OID.certBag), explicit0(certBag)];
    if (i === 0) bag.push(bagAttributes(localKeyId, input.friendlyName));
    return seq(bag);
  });
  const authenticatedSafe = toDer(
    seq([dataContentInfo(toDer(seq(certBags))), dataContentInfo(toDer(seq([keyBag])))]),
  );

  const macSalt = crypto.randomBytes(16);
  const macKey = forge.pkcs12.generateKey(
    input.password,
    forge.util.createBuffer(bin(macSalt)),
    MAC_KEY_ID,
    ITERATIONS,
    32,
    forge.md.sha256.create(),
  );
  const mac = crypto
    .createHmac('sha256', Buffer.from(macKey.getBytes(), 'binary'))
    .update(authenticatedSafe)
    .digest();
  const macData = seq([
    seq([seq([oid(OID.sha256), asn1.create(asn1.Class.UNIVERSAL, asn1.Type.NULL, false, '')]), octets(mac)]),
    octets(macSalt),
    integer(ITERATIONS),
  ]);
  return toDer(seq([integer(3), dataContentInfo(authenticatedSafe), macData]));
}
