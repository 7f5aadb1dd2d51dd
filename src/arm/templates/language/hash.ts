// The two deterministic hashes of the template language, bit for bit as ARM computes them:
// uniqueString = 13 base32 characters of a 64-bit Murmur variant over the UTF-8 of the '-'-joined
// arguments (ResourceStack's ComputeHash.MurmurHash64, seed 0); guid = RFC 4122 version-5 UUID of
// the same text in ARM's namespace 11fb06fb-712d-4ddd-98c7-e71bbd588830.
import { createHash } from 'node:crypto';

const C1 = 0x239b961b;
const C2 = 0xab0e9789;
const C3 = 0x561ccd1b;
const C4 = 0x0bcaa747;
const C5 = 0x85ebca6b;
const C6 = 0xc2b2ae35;

const rotl = (x: number, r: number) => ((x << r) | (x >>> (32 - r))) >>> 0;
const mul = (a: number, b: number) => Math.imul(a, b) >>> 0;
const word = (d: Uint8Array, i: number, n: number) => {
  let w = 0;
  for (let k = 0; k < n; k++) w |= d[i + k]! << (8 * k);
  return w >>> 0;
};

export function murmurHash64(data: Uint8Array, seed = 0): bigint {
  const length = data.length;
  let h1 = seed >>> 0;
  let h2 = seed >>> 0;
  let i = 0;
  for (; i + 7 < length; i += 8) {
    const k1 = mul(rotl(mul(word(data, i, 4), C1), 15), C2);
    h1 = (mul((rotl((h1 ^ k1) >>> 0, 19) + h2) >>> 0, 5) + C3) >>> 0;
    const k2 = mul(rotl(mul(word(data, i + 4, 4), C2), 17), C1);
    h2 = (mul((rotl((h2 ^ k2) >>> 0, 13) + h1) >>> 0, 5) + C4) >>> 0;
  }
  const tail = length - i;
  if (tail > 0) {
    const k1 = mul(rotl(mul(word(data, i, Math.min(tail, 4)), C1), 15), C2);
    h1 = (h1 ^ k1) >>> 0;
    if (tail > 4) {
      const k2 = mul(rotl(mul(word(data, i + 4, tail - 4), C2), 17), C1);
      h2 = (h2 ^ k2) >>> 0;
    }
  }
  h1 = (h1 ^ length) >>> 0;
  h2 = (h2 ^ length) >>> 0;
  h1 = (h1 + h2) >>> 0;
  h2 = (h2 + h1) >>> 0;
  const fmix = (h: number) => {
    h = mul((h ^ (h >>> 16)) >>> 0, C5);
    h = mul((h ^ (h >>> 13)) >>> 0, C6);
    return (h ^ (h >>> 16)) >>> 0;
  };
  h1 = fmix(h1);
  h2 = fmix(h2);
  h1 = (h1 + h2) >>> 0;
  h2 = (h2 + h1) >>> 0;
  return (BigInt(h2) << 32n) | BigInt(h1);
}

const BASE32 = 'abcdefghijklmnopqrstuvwxyz234567';

export function uniqueString(parts: readonly string[]): string {
  let h = murmurHash64(new TextEncoder().encode(parts.join('-')));
  let out = '';
  for (let i = 0; i < 13; i++) {
    out += BASE32[Number(h >> 59n)];
    h = (h << 5n) & 0xffff_ffff_ffff_ffffn;
  }
  return out;
}

const ARM_NAMESPACE = Buffer.from('11fb06fb712d4ddd98c7e71bbd588830', 'hex');

export function uuidV5(namespace: Buffer, name: string): string {
  const hash = createHash('sha1').update(namespace).update(Buffer.from(name, 'utf8')).digest();
  const b = hash.subarray(0, 16);
  b[6] = (b[6]! & 0x0f) | 0x50;
  b[8] = (b[8]! & 0x3f) | 0x80;
  const hex = b.toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

export function armGuid(parts: readonly string[]): string {
  return uuidV5(ARM_NAMESPACE, parts.join('-'));
}
