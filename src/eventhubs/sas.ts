// Shared access signatures: `SharedAccessSignature sr={uri}&sig={sig}&se={expiry}&skn={rule}`, where sig
// is base64(HMAC-SHA256(key, urlencode(sr) + "\n" + se)), as Event Hubs and the SDKs make them. A token
// is checked against the namespace's or the hub's rule it names, with either of the rule's keys.
import crypto from 'node:crypto';
import type { AccessRight, AuthorizationRuleSettings, CompiledNamespace } from './settings.js';

export interface SasGrant {
  rule: string;
  rights: Set<AccessRight>;
  /** The hub the grant is limited to (a hub's rule, or a namespace rule's token for one entity); undefined: every hub. */
  hub?: string;
  expiresMs: number;
}

export class SasError extends Error {}

export function signSas(resourceUri: string, keyName: string, key: string, expirySeconds: number): string {
  const sr = encodeURIComponent(resourceUri);
  const sig = crypto.createHmac('sha256', key).update(`${sr}\n${expirySeconds}`).digest('base64');
  return `SharedAccessSignature sr=${sr}&sig=${encodeURIComponent(sig)}&se=${expirySeconds}&skn=${encodeURIComponent(keyName)}`;
}

/** The entity path of a resource URI (`sb://host:port/hub/...`, `amqps://...`, or a bare `hub`): lower-cased, without slashes at the ends. */
export function entityPathOf(uri: string): string {
  const m = /^[a-z][a-z0-9+.-]*:\/\/[^/]*(.*)$/i.exec(uri);
  return (m ? m[1] : uri).replace(/^\/+|\/+$/g, '').toLowerCase();
}

function parse(token: string): { sr: string; sig: string; se: string; skn: string } {
  const prefix = 'SharedAccessSignature ';
  if (!token.startsWith(prefix)) throw new SasError('The token is not a shared access signature.');
  const fields = new Map<string, string>();
  for (const part of token.slice(prefix.length).split('&')) {
    const i = part.indexOf('=');
    if (i <= 0) throw new SasError('Malformed shared access signature.');
    fields.set(part.slice(0, i).toLowerCase(), part.slice(i + 1));
  }
  const [sr, sig, se, skn] = ['sr', 'sig', 'se', 'skn'].map((k) => fields.get(k));
  if (!sr || !sig || !se || !skn) throw new SasError('The shared access signature must have sr, sig, se and skn.');
  return { sr, sig, se, skn };
}

/**
 * Verifies a SAS token for this namespace at `nowMs`: the rule it names (on the namespace, or on the hub
 * its resource names), its signature with the primary or secondary key, and its expiry.
 */
export function verifySas(ns: CompiledNamespace, token: string, nowMs: number): SasGrant {
  const { sr, sig, se, skn } = parse(token);
  if (!/^\d{1,12}$/.test(se)) throw new SasError('The shared access signature expiry is not a number.');
  const expiresMs = Number(se) * 1000;
  if (expiresMs <= nowMs) throw new SasError(`The token is expired. Expiration time: '${new Date(expiresMs).toISOString()}'.`);
  let resource: string;
  let ruleName: string;
  try { resource = decodeURIComponent(sr); ruleName = decodeURIComponent(skn); } catch { throw new SasError('Malformed shared access signature.'); }
  const path = entityPathOf(resource);
  const hubName = path.split('/')[0] || undefined;
  let rule: AuthorizationRuleSettings | undefined = ns.rulesByName.get(ruleName.toLowerCase());
  let limitedTo = hubName;
  if (!rule && hubName) {
    rule = ns.hubs.get(hubName)?.rulesByName.get(ruleName.toLowerCase());
  }
  if (!rule) throw new SasError(`The authorization rule '${ruleName}' was not found for '${resource}'.`);
  // A namespace rule's token for the namespace itself covers every hub.
  if (ns.rulesByName.get(ruleName.toLowerCase()) === rule && !hubName) limitedTo = undefined;
  const signed = `${sr}\n${se}`;
  const ok = [rule.primaryKey, rule.secondaryKey].some((k) => {
    const expected = crypto.createHmac('sha256', k).update(signed).digest();
    let given: Buffer;
    try { given = Buffer.from(decodeURIComponent(sig), 'base64'); } catch { return false; }
    return given.length === expected.length && crypto.timingSafeEqual(given, expected);
  });
  if (!ok) throw new SasError('InvalidSignature: The token has an invalid signature.');
  return { rule: rule.name, rights: new Set(rule.rights), hub: limitedTo, expiresMs };
}

/** What a grant allows: `Manage` includes `Send` and `Listen`, as in Event Hubs. */
export function sasAllows(grant: SasGrant, hub: string, right: AccessRight): boolean {
  if (grant.hub !== undefined && grant.hub !== hub.toLowerCase()) return false;
  return grant.rights.has(right) || grant.rights.has('Manage');
}

/** A new key as Event Hubs makes them: 32 random bytes, base64 (44 characters). */
export const newSasKey = (): string => crypto.randomBytes(32).toString('base64');
