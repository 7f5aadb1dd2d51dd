// Debug credentials (API Management's current tracing protocol, api-version 2023-05-01-preview on):
// Resource Manager's gateways/{id}/listDebugCredentials hands out a token for one API, valid at most an
// hour; the gateway traces a call that carries it in Apim-Debug-Authorization, answers Apim-Trace-Id,
// and the trace is read back with gateways/{id}/listTrace. One format, issued and verified here: Azure's
// shape (`aid=...&p=...&ex=...&sn=...`, "aid=api-name&......." in Microsoft Learn) signed with
// HMAC-SHA256 under the instance's debug key, which Resource Manager derives from its master key and
// hands to the gateway in InstanceConfig.debugCredentialsKey (the planes share no table).
import { createHmac, timingSafeEqual } from 'node:crypto';

export const DEBUG_MAX_LIFETIME_MS = 3600_000;
export const DEBUG_PURPOSES = ['tracing'] as const;
export type DebugPurpose = (typeof DEBUG_PURPOSES)[number];

export interface DebugCredential {
  /** The API's name (its ARM resource name), compared without case. */
  apiName: string;
  purposes: DebugPurpose[];
  expiresAtMs: number;
}

export type DebugTokenCheck =
  | { ok: true; credential: DebugCredential }
  | { ok: false; reason: 'invalid' }
  | { ok: false; reason: 'expired'; expiredAt: string }
  | { ok: false; reason: 'wrongApi'; apiName: string };

const signature = (key: string, instanceId: string, apiName: string, purposes: string, ex: string) =>
  createHmac('sha256', Buffer.from(key, 'base64url')).update(`${instanceId.toLowerCase()}\n${apiName.toLowerCase()}\n${purposes}\n${ex}`).digest();

export function issueDebugToken(key: string, instanceId: string, c: DebugCredential): string {
  const p = c.purposes.join(',');
  const ex = String(Math.floor(c.expiresAtMs / 1000));
  const sn = signature(key, instanceId, c.apiName, p, ex).toString('base64url');
  return `aid=${encodeURIComponent(c.apiName)}&p=${p}&ex=${ex}&sn=${sn}`;
}

/** Verifies a token for a call to `apiName`: signature first, then expiry, then the API it was issued for. */
export function verifyDebugToken(key: string, instanceId: string, token: string, apiName: string, nowMs: number): DebugTokenCheck {
  if (token.length > 2048) return { ok: false, reason: 'invalid' };
  let q: URLSearchParams;
  try { q = new URLSearchParams(token.trim()); } catch { return { ok: false, reason: 'invalid' }; }
  const aid = q.get('aid');
  const p = q.get('p');
  const ex = q.get('ex');
  const sn = q.get('sn');
  if (aid === null || p === null || ex === null || sn === null || !/^\d{1,12}$/.test(ex)) return { ok: false, reason: 'invalid' };
  const expected = signature(key, instanceId, aid, p, ex);
  const given = Buffer.from(sn, 'base64url');
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) return { ok: false, reason: 'invalid' };
  const purposes = p.split(',').filter((x): x is DebugPurpose => (DEBUG_PURPOSES as readonly string[]).includes(x));
  const expiresAtMs = Number(ex) * 1000;
  if (expiresAtMs <= nowMs) return { ok: false, reason: 'expired', expiredAt: new Date(expiresAtMs).toISOString() };
  if (aid.toLowerCase() !== apiName.toLowerCase()) return { ok: false, reason: 'wrongApi', apiName: aid };
  return { ok: true, credential: { apiName: aid, purposes, expiresAtMs } };
}
