// Token signing keys: RS256, persisted (private key sealed), published in JWKS. Rotation adds a key
// and retires the old one, which stays in JWKS until every token it signed has expired.
import crypto from 'node:crypto';
import type { Kysely } from 'kysely';
import type { Database } from '../store/schema.js';
import type { SecretBox } from '../common/crypto.js';
import type { Clock } from '../common/clock.js';

export interface PublicJwk {
  kty: 'RSA';
  use: 'sig';
  kid: string;
  x5t: string;
  n: string;
  e: string;
  x5c?: string[];
}

interface LoadedKey {
  kid: string;
  privateKey: crypto.KeyObject;
  publicKey: crypto.KeyObject;
  jwk: PublicJwk;
  createdMs: number;
  retiredMs: number | null;
}

export class SigningKeys {
  private keys = new Map<string, LoadedKey>();
  private active?: LoadedKey;
  private lastReloadMs = 0;

  /** The keys in the store, with an active one (made on first start). */
  static async open(db: Kysely<Database>, box: SecretBox, clock: Clock, tokenLifetimeMs: number): Promise<SigningKeys> {
    const keys = new SigningKeys(db, box, clock, tokenLifetimeMs);
    await keys.reload();
    if (!keys.active) await keys.rotate();
    return keys;
  }

  private constructor(
    private readonly db: Kysely<Database>,
    private readonly box: SecretBox,
    private readonly clock: Clock,
    /** Longest lifetime of a token, so a retired key is published as long as its tokens live. */
    private readonly tokenLifetimeMs: number,
  ) {}

  private async reload(): Promise<void> {
    const rows = await this.db.selectFrom('entra_signing_keys').selectAll().orderBy('created_ms', 'asc').execute();
    const next = new Map<string, LoadedKey>();
    for (const row of rows) {
      const existing = this.keys.get(row.kid);
      if (existing) { existing.retiredMs = row.retired_ms; next.set(row.kid, existing); continue; }
      const privateKey = crypto.createPrivateKey(this.box.openBuffer(row.private_sealed, `entra-key:${row.kid}`).toString('utf8'));
      next.set(row.kid, {
        kid: row.kid, privateKey, publicKey: crypto.createPublicKey(privateKey),
        jwk: JSON.parse(row.public_jwk) as PublicJwk, createdMs: row.created_ms, retiredMs: row.retired_ms,
      });
    }
    this.keys = next;
    this.active = [...next.values()].filter((k) => k.retiredMs === null).pop();
    this.lastReloadMs = this.clock.nowMs();
  }

  /** Adds a new active key and retires the current one. Returns the new kid. */
  async rotate(): Promise<string> {
    const { privateKey, publicKey } = crypto.generateKeyPairSync('rsa', { modulusLength: 2048 });
    const jwk = publicKey.export({ format: 'jwk' }) as { n: string; e: string };
    // kid and x5t as Entra's: base64url SHA-1 of the key, here over the SPKI DER (there is no certificate).
    const spki = publicKey.export({ format: 'der', type: 'spki' });
    const kid = crypto.createHash('sha1').update(spki).digest('base64url');
    const now = this.clock.nowMs();
    const pub: PublicJwk = { kty: 'RSA', use: 'sig', kid, x5t: kid, n: jwk.n, e: jwk.e };
    const pem = privateKey.export({ format: 'pem', type: 'pkcs8' }) as string;
    await this.db.transaction().execute(async (tx) => {
      await tx.updateTable('entra_signing_keys').set({ retired_ms: now }).where('retired_ms', 'is', null).execute();
      await tx.insertInto('entra_signing_keys').values({
        kid, private_sealed: this.box.seal(pem, `entra-key:${kid}`), public_jwk: JSON.stringify(pub), created_ms: now, retired_ms: null,
      }).execute();
    });
    await this.reload();
    return kid;
  }

  activeKey(): { kid: string; privateKey: crypto.KeyObject } {
    if (!this.active) throw new Error('no active signing key');
    return this.active;
  }

  /** Keys published in JWKS: the active one and retired ones whose tokens may still be alive. */
  publishedKeys(): PublicJwk[] {
    const now = this.clock.nowMs();
    return [...this.keys.values()]
      .filter((k) => k.retiredMs === null || k.retiredMs + this.tokenLifetimeMs > now)
      .reverse()
      .map((k) => k.jwk);
  }

  /**
   * The public key for a kid, if it is still published. An unknown kid triggers at most one reload
   * per second, so a key rotated by another process (a PostgreSQL replica) is picked up.
   */
  async publicKey(kid: string): Promise<crypto.KeyObject | undefined> {
    let key = this.keys.get(kid);
    if (!key && this.clock.nowMs() - this.lastReloadMs > 1000) {
      await this.reload();
      key = this.keys.get(kid);
    }
    if (!key) return undefined;
    if (key.retiredMs !== null && key.retiredMs + this.tokenLifetimeMs <= this.clock.nowMs()) return undefined;
    return key.publicKey;
  }
}
