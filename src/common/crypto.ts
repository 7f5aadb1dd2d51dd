// Secrets at rest: AES-256-GCM with a master key kept in the data directory (or given by
// APIM_LOCAL_MASTER_KEY). Every plane that stores a secret seals it with this before it reaches the store.
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';

const VERSION = 'v1';

export class SecretBox {
  private constructor(private readonly key: Buffer) {}

  static fromKey(base64Key: string): SecretBox {
    const key = Buffer.from(base64Key, 'base64');
    if (key.length !== 32) throw new Error('APIM_LOCAL_MASTER_KEY must be 32 bytes, base64-encoded');
    return new SecretBox(key);
  }

  /** Loads `master.key` from the data directory, creating it (mode 0600) on first start. */
  static fromDataDir(dataDir: string, explicitKey?: string): SecretBox {
    if (explicitKey) return SecretBox.fromKey(explicitKey);
    const file = path.join(dataDir, 'master.key');
    if (!fs.existsSync(file)) {
      const key = crypto.randomBytes(32).toString('base64');
      fs.writeFileSync(file, key + '\n', { mode: 0o600, flag: 'wx' });
    }
    return SecretBox.fromKey(fs.readFileSync(file, 'utf8').trim());
  }

  static ephemeral(): SecretBox {
    return new SecretBox(crypto.randomBytes(32));
  }

  /** HMAC-SHA256 under a key derived from the master key for `purpose`: unforgeable, stateless tokens. */
  mac(purpose: string, data: string): Buffer {
    const subkey = Buffer.from(crypto.hkdfSync('sha256', this.key, Buffer.alloc(0), Buffer.from(`apim-local:${purpose}`), 32));
    return crypto.createHmac('sha256', subkey).update(data).digest();
  }

  /** `v1.<iv>.<tag>.<ciphertext>`, all base64url. `aad` binds the value to where it is stored. */
  seal(plaintext: string | Buffer, aad = ''): string {
    const iv = crypto.randomBytes(12);
    const cipher = crypto.createCipheriv('aes-256-gcm', this.key, iv);
    cipher.setAAD(Buffer.from(aad));
    const ct = Buffer.concat([cipher.update(plaintext), cipher.final()]);
    return [VERSION, iv.toString('base64url'), cipher.getAuthTag().toString('base64url'), ct.toString('base64url')].join('.');
  }

  openBuffer(sealed: string, aad = ''): Buffer {
    const [v, iv, tag, ct] = sealed.split('.');
    if (v !== VERSION || !iv || !tag || ct === undefined) throw new Error('sealed value has an unknown format');
    const decipher = crypto.createDecipheriv('aes-256-gcm', this.key, Buffer.from(iv, 'base64url'));
    decipher.setAAD(Buffer.from(aad));
    decipher.setAuthTag(Buffer.from(tag, 'base64url'));
    return Buffer.concat([decipher.update(Buffer.from(ct, 'base64url')), decipher.final()]);
  }

  open(sealed: string, aad = ''): string {
    return this.openBuffer(sealed, aad).toString('utf8');
  }
}

/** Client secrets are kept as salted SHA-256: they are long random strings, so a slow KDF buys nothing. */
export function hashSecret(secret: string, salt = crypto.randomBytes(16).toString('base64url')): string {
  const digest = crypto.createHash('sha256').update(salt).update(secret).digest('base64url');
  return `sha256.${salt}.${digest}`;
}

export function verifySecret(secret: string, stored: string): boolean {
  const [alg, salt, digest] = stored.split('.');
  if (alg !== 'sha256' || !salt || !digest) return false;
  const expected = Buffer.from(digest, 'base64url');
  const actual = crypto.createHash('sha256').update(salt).update(secret).digest();
  return expected.length === actual.length && crypto.timingSafeEqual(expected, actual);
}

/** A client secret in Entra's shape: 40 characters, letters, digits and `~._-`. */
export function newClientSecret(): string {
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789~._-';
  const bytes = crypto.randomBytes(40);
  let s = '';
  for (const b of bytes) s += alphabet[b % alphabet.length];
  return s;
}
