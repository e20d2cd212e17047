// Base45 (RFC 9285): two bytes → three characters of a 45-character set, a trailing byte → two.
// Written here (40 lines) rather than taken from a package: the RFC's test vectors are the tests.

const ALPHABET = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ $%*+-./:';
const VALUE = new Map([...ALPHABET].map((c, i) => [c, i]));

/** Encodes bytes as Base45 text (RFC 9285 §4). */
export function base45Encode(bytes: Uint8Array): string {
  let out = '';
  for (let i = 0; i + 1 < bytes.length; i += 2) {
    let n = (bytes[i] as number) * 256 + (bytes[i + 1] as number);
    const c = n % 45;
    n = (n - c) / 45;
    out += ALPHABET[c] + (ALPHABET[n % 45] as string) + (ALPHABET[Math.floor(n / 45)] as string);
  }
  if (bytes.length % 2 === 1) {
    const n = bytes[bytes.length - 1] as number;
    out += (ALPHABET[n % 45] as string) + (ALPHABET[Math.floor(n / 45)] as string);
  }
  return out;
}

/** Decodes Base45 text; throws on a character outside the set or a value that does not fit (RFC 9285 §4.2). */
export function base45Decode(text: string): Uint8Array {
  if (text.length % 3 === 1) throw new Error('base45: invalid length');
  const out: number[] = [];
  for (let i = 0; i < text.length; i += 3) {
    const chunk = text.slice(i, i + 3);
    let n = 0;
    for (let j = chunk.length - 1; j >= 0; j--) {
      const v = VALUE.get(chunk[j] as string);
      if (v === undefined) throw new Error(`base45: invalid character '${chunk[j]}'`);
      n = n * 45 + v;
    }
    if (chunk.length === 3) {
      if (n > 0xffff) throw new Error('base45: value out of range');
      out.push(n >> 8, n & 0xff);
    } else {
      if (n > 0xff) throw new Error('base45: value out of range');
      out.push(n);
    }
  }
  return Uint8Array.from(out);
}
