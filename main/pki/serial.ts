import crypto from 'node:crypto';

/** A random 128-bit positive serial as 32 uppercase hex digits (first byte 0x10..0x7f: no sign bit, no leading zero). */
export function newSerial(): string {
  const bytes = crypto.randomBytes(16);
  bytes[0] = 0x10 + ((bytes[0] ?? 0) % 0x70);
  return bytes.toString('hex').toUpperCase();
}

/** Serials as Node, OpenSSL and @peculiar/x509 print them differ in case and leading zeros. */
export function normalizeSerial(serial: string): string {
  const hex = serial.replace(/[:\s]/g, '').toUpperCase().replace(/^0+/, '');
  return hex === '' ? '0' : hex;
}
