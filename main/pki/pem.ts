export interface PemBlock {
  label: string;
  der: Buffer;
  text: string;
}

const PEM_BLOCK = /-----BEGIN ([A-Z0-9 ]+)-----([\s\S]*?)-----END \1-----/g;

/** Every PEM block in a text, in order. */
export function splitPem(text: string): PemBlock[] {
  const blocks: PemBlock[] = [];
  for (const match of text.matchAll(PEM_BLOCK)) {
    const label = match[1] ?? '';
    const body = (match[2] ?? '').replace(/[^A-Za-z0-9+/=]/g, '');
    blocks.push({ label, der: Buffer.from(body, 'base64'), text: match[0] });
  }
  return blocks;
}

export function toPem(label: string, der: Buffer | ArrayBuffer): string {
  const b64 = Buffer.from(der as ArrayBuffer).toString('base64');
  const lines = b64.match(/.{1,64}/g) ?? [];
  return `-----BEGIN ${label}-----\n${lines.join('\n')}\n-----END ${label}-----\n`;
}

export function certificatesIn(text: string): PemBlock[] {
  return splitPem(text).filter((b) => b.label === 'CERTIFICATE');
}
