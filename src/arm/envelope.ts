// What every ARM response shares: systemData, list pages with nextLink, body validation helpers.
import type { ArmCaller, ArmRequest, ArmResult } from './registry.js';
import { ArmErrors } from './errors.js';

export function systemData(caller: ArmCaller, previous?: Record<string, unknown>, nowMs = Date.now()): Record<string, unknown> {
  const at = new Date(nowMs).toISOString();
  const by = caller.clientId;
  const byType = caller.claims.idtyp === 'user' ? 'User' : caller.claims.xms_mirid ? 'ManagedIdentity' : 'Application';
  return {
    createdBy: previous?.createdBy ?? by,
    createdByType: previous?.createdByType ?? byType,
    createdAt: previous?.createdAt ?? at,
    lastModifiedBy: by,
    lastModifiedByType: byType,
    lastModifiedAt: at,
  };
}

const DEFAULT_PAGE = 100;
const MAX_PAGE = 1000;

/**
 * A page of a list: `$top` sets the page size (default 100), `$skiptoken` continues; `nextLink` is an
 * absolute https URL on this server with the same query and the next skiptoken.
 */
export function page(req: ArmRequest, items: unknown[], baseUrl: string): ArmResult {
  const topParam = req.ctx.query.get('$top');
  let size = DEFAULT_PAGE;
  if (topParam !== null) {
    const t = Number(topParam);
    if (!Number.isInteger(t) || t < 1) throw ArmErrors.invalidValue('$top', `The value '${topParam}' of query parameter '$top' is invalid. It must be a positive integer.`);
    size = Math.min(t, MAX_PAGE);
  }
  let offset = 0;
  const skip = req.ctx.query.get('$skiptoken');
  if (skip !== null) {
    const parsed = Number(Buffer.from(skip, 'base64url').toString('utf8'));
    if (!Number.isInteger(parsed) || parsed < 0) throw ArmErrors.invalidSkipToken();
    offset = parsed;
  }
  const value = items.slice(offset, offset + size);
  const body: Record<string, unknown> = { value };
  if (offset + size < items.length) {
    const q = new URLSearchParams(req.ctx.query);
    q.set('$skiptoken', Buffer.from(String(offset + size)).toString('base64url'));
    body.nextLink = `${baseUrl}${req.ctx.path}?${q.toString()}`;
  }
  return { status: 200, body };
}

export function asObject(value: unknown, path: string): Record<string, unknown> {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    throw ArmErrors.invalidValue(path || '$', `The request content was invalid and could not be deserialized: '${path || 'The body'} must be a JSON object.'.`);
  }
  return value as Record<string, unknown>;
}

/** Strict bodies: a member the type does not have is refused, as Azure's deserializer does. */
export function rejectUnknown(obj: Record<string, unknown>, allowed: readonly string[], typeName: string, path: string): void {
  const allow = new Set(allowed.map((a) => a.toLowerCase()));
  for (const k of Object.keys(obj)) {
    if (!allow.has(k.toLowerCase())) throw ArmErrors.unknownMember(k, typeName, path ? `${path}.${k}` : k);
  }
}

/** Tags: at most 50, names up to 512 characters, values up to 256, as Azure. */
export function validateTags(value: unknown, path = 'tags'): Record<string, string> | undefined {
  if (value === undefined || value === null) return undefined;
  const tags = asObject(value, path);
  const entries = Object.entries(tags);
  if (entries.length > 50) throw ArmErrors.invalidValue(path, `The number of tags (${entries.length}) exceeds the maximum of 50.`);
  for (const [k, v] of entries) {
    if (typeof v !== 'string') throw ArmErrors.invalidValue(`${path}.${k}`, `The tag '${k}' must have a string value.`);
    if (k.length > 512 || /[<>%&\\?/]/.test(k)) throw ArmErrors.invalidValue(`${path}.${k}`, `The tag name '${k}' is invalid: at most 512 characters, without '<', '>', '%', '&', '\\', '?' or '/'.`);
    if (v.length > 256) throw ArmErrors.invalidValue(`${path}.${k}`, `The value of tag '${k}' exceeds 256 characters.`);
  }
  return tags as Record<string, string>;
}

/** Azure's location names: `West Europe` → `westeurope`. */
export const normalizeLocation = (location: string): string => location.replace(/\s+/g, '').toLowerCase();

/** The request's If-Match / If-None-Match, for ResourceStore.put. */
export function preconditions(req: ArmRequest): { ifMatch?: string; ifNoneMatch?: string } {
  const im = req.ctx.req.headers['if-match'];
  const inm = req.ctx.req.headers['if-none-match'];
  return { ifMatch: typeof im === 'string' ? im : undefined, ifNoneMatch: typeof inm === 'string' ? inm : undefined };
}
