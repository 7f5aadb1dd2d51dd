import crypto from 'node:crypto';

export const newGuid = (): string => crypto.randomUUID();

const GUID_RE = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
export const isGuid = (s: string): boolean => GUID_RE.test(s);
