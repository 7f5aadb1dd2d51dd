// System.Security.Cryptography's hash algorithms as API Management exposes them: MD5, SHA1/256/384/512
// (Create(), the *Managed classes, static HashData) and HMAC over them (HMACMD5, HMACSHA1…512), on
// node:crypto. RNGCryptoServiceProvider fills buffers from the system's CSPRNG.
import { createHash, createHmac, randomBytes, randomFillSync } from 'node:crypto';
import { argumentError, argumentNull, argumentOutOfRange, DotNetException } from './exceptions.js';

export type HashName = 'md5' | 'sha1' | 'sha256' | 'sha384' | 'sha512';
const BITS: Record<HashName, number> = { md5: 128, sha1: 160, sha256: 256, sha384: 384, sha512: 512 };
/** .NET's HMAC block sizes decide the default random key length (64 or 128 bytes). */
const BLOCK: Record<HashName, number> = { md5: 64, sha1: 64, sha256: 64, sha384: 128, sha512: 128 };

export class HashAlgorithmImpl {
  private last: Uint8Array | null = null;
  private keyBytes: Uint8Array | null;
  constructor(readonly alg: HashName, readonly dotNetType: string, key?: Uint8Array | null, readonly keyed = false) {
    if (keyed && key === null) throw argumentNull('key');
    this.keyBytes = keyed ? new Uint8Array(key ?? randomBytes(BLOCK[alg])) : null;
  }
  get hashSize(): number { return BITS[this.alg]; }
  get hash(): Uint8Array {
    if (!this.last) throw new DotNetException('System.Security.Cryptography.CryptographicUnexpectedOperationException', 'Hash must be finalized before the hash value is retrieved.');
    return new Uint8Array(this.last);
  }
  get key(): Uint8Array { return new Uint8Array(this.keyBytes ?? []); }
  set key(k: Uint8Array) {
    if (k === null) throw argumentNull('value');
    this.keyBytes = new Uint8Array(k);
  }
  computeHash(buffer: Uint8Array | null, offset = 0, count?: number): Uint8Array {
    if (buffer === null) throw argumentNull('buffer');
    const n = count ?? buffer.length - offset;
    if (offset < 0) throw argumentOutOfRange('offset', 'Non-negative number required.');
    if (n < 0 || n > buffer.length) throw argumentError('Value was invalid.');
    if (buffer.length - n < offset) throw argumentError('Offset and length were out of bounds for the array or count is greater than the number of elements from index to the end of the source collection.');
    const data = buffer.subarray(offset, offset + n);
    this.last = digest(this.alg, data, this.keyBytes);
    return new Uint8Array(this.last);
  }
  toString(): string { return this.dotNetType; }
}

export function digest(alg: HashName, data: Uint8Array | null, key: Uint8Array | null = null): Uint8Array {
  if (data === null) throw argumentNull('source');
  const h = key ? createHmac(alg, key) : createHash(alg);
  return new Uint8Array(h.update(data).digest());
}

export function fillRandom(data: Uint8Array | null, nonZero = false): void {
  if (data === null) throw argumentNull('data');
  randomFillSync(data);
  if (nonZero) for (let i = 0; i < data.length; i++) while (data[i] === 0) data[i] = randomBytes(1)[0];
}
