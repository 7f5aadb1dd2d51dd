// API Management's field validation for the bodies of its entities: the error shapes (400
// ValidationError with one detail per field, as Azure/apiops#214 and azure-powershell#8957 show them),
// the entity name pattern, and typed readers of a property (string, boolean, integer, object, array of
// strings) that throw the field's error. Every field of every contract goes through one of these, so a
// wrongly typed value is refused at PUT instead of reaching the gateway.
import { AzureError, type ErrorDetail } from '../../../common/errors.js';
import { ArmErrors } from '../../errors.js';
import { rejectUnknown } from '../../envelope.js';
import type { ArmRequest } from '../../registry.js';

export function validationError(target: string, message: string): AzureError {
  return validationErrors([{ code: 'ValidationError', target, message }]);
}

export function validationErrors(details: ErrorDetail[]): AzureError {
  return new AzureError({ status: 400, code: 'ValidationError', message: 'One or more fields contain incorrect values:', details });
}

export const ApimChildErrors = {
  /** API Management's 404 for an entity of an instance: `{"code":"ResourceNotFound","message":"Api not found."}`. */
  notFound: (entity: string) => new AzureError({ status: 404, code: 'ResourceNotFound', message: `${entity} not found.` }),
  required: (field: string) => validationError(field, `'${field}' is required.`),
  tooLong: (field: string, max: number) => validationError(field, `'${field}' must be at most ${max} characters long.`),
  invalidName: (name: string) => validationError('name', `Invalid identifier '${name}': it must be 1 to 256 characters and may not contain '*', '#', '&', '+', ':', '<', '>' or '?'.`),
  /** If-Match is a required header of API Management's DELETE and PATCH (the SDK always sends it). */
  ifMatchRequired: () => new AzureError({ status: 428, code: 'PreconditionRequired', message: "The 'If-Match' header is required for this operation. Use '*' to match any version of the entity." }),
  preconditionFailed: () => new AzureError({ status: 412, code: 'PreconditionFailed', message: 'The entity tag given in If-Match does not match the current version of the entity.' }),
  /** As API Management words it: "Protocol 'grpc' is invalid. Valid values are: http, soap." */
  oneOf: (field: string, value: unknown, allowed: readonly string[]) => {
    const last = field.split('.').pop()!.replace(/\[\d+\]$/, '');
    return validationError(field, `${last[0].toUpperCase()}${last.slice(1)} '${String(value)}' is invalid. Valid values are: ${allowed.join(', ')}.`);
  },
};

/** `^[^*#&+:<>?]+$`, at most 256 characters: API Management's identifier pattern (apiId, namedValueId, ...). */
export function checkEntityName(name: string): void {
  if (!/^[^*#&+:<>?]+$/.test(name) || name.length > 256) throw ApimChildErrors.invalidName(name);
}

type Props = Record<string, unknown>;
const absent = (v: unknown): v is undefined | null => v === undefined || v === null;

/** A string property: type, required, length. Returns it (or undefined when absent and optional). */
export function str(props: Props, field: string, o: { required?: boolean; max?: number; min?: number; at?: string } = {}): string | undefined {
  const v = props[field];
  const at = o.at ?? field;
  if (absent(v)) {
    if (o.required) throw ApimChildErrors.required(at);
    return undefined;
  }
  if (typeof v !== 'string') throw validationError(at, `'${at}' must be a string.`);
  if (o.required && v.trim() === '' && (o.min ?? 1) > 0) throw ApimChildErrors.required(at);
  if (o.max !== undefined && v.length > o.max) throw ApimChildErrors.tooLong(at, o.max);
  return v;
}

/** A required string: the reader above with `required`, typed as present. */
export function requiredStr(props: Props, field: string, o: { max?: number; at?: string } = {}): string {
  return str(props, field, { ...o, required: true }) as string;
}

export function bool(props: Props, field: string, at = field): boolean | undefined {
  const v = props[field];
  if (absent(v)) return undefined;
  if (typeof v !== 'boolean') throw validationError(at, `'${at}' must be a boolean.`);
  return v;
}

export function int(props: Props, field: string, o: { min?: number; max?: number; at?: string } = {}): number | undefined {
  const v = props[field];
  const at = o.at ?? field;
  if (absent(v)) return undefined;
  if (typeof v !== 'number' || !Number.isInteger(v)) throw validationError(at, `'${at}' must be an integer.`);
  if ((o.min !== undefined && v < o.min) || (o.max !== undefined && v > o.max)) {
    throw validationError(at, `'${at}' must be between ${o.min ?? '-∞'} and ${o.max ?? '∞'}.`);
  }
  return v;
}

/** One of `allowed` (compared without case), returned in `allowed`'s spelling. */
export function oneOf<T extends string>(props: Props, field: string, allowed: readonly T[], at = field): T | undefined {
  const v = props[field];
  if (absent(v)) return undefined;
  const hit = typeof v === 'string' ? allowed.find((a) => a.toLowerCase() === v.toLowerCase()) : undefined;
  if (hit === undefined) throw ApimChildErrors.oneOf(at, v, allowed);
  return hit;
}

export function obj(props: Props, field: string, at = field): Record<string, unknown> | undefined {
  const v = props[field];
  if (absent(v)) return undefined;
  if (typeof v !== 'object' || Array.isArray(v)) throw validationError(at, `'${at}' must be an object.`);
  return v as Record<string, unknown>;
}

/** An object whose every value is a string (a dictionary of strings such as logger credentials). */
export function stringMap(props: Props, field: string, at = field): Record<string, string> | undefined {
  const o = obj(props, field, at);
  if (o === undefined) return undefined;
  for (const [k, v] of Object.entries(o)) if (typeof v !== 'string') throw validationError(`${at}.${k}`, `'${at}.${k}' must be a string.`);
  return o as Record<string, string>;
}

export function strings(props: Props, field: string, o: { maxItems?: number; at?: string } = {}): string[] | undefined {
  const v = props[field];
  const at = o.at ?? field;
  if (absent(v)) return undefined;
  if (!Array.isArray(v) || v.some((t) => typeof t !== 'string')) throw validationError(at, `'${at}' must be an array of strings.`);
  if (o.maxItems !== undefined && v.length > o.maxItems) throw validationError(at, `'${at}' may have at most ${o.maxItems} items.`);
  return v as string[];
}

/** An absolute URL with one of `protocols` (`['http:', 'https:']`). */
export function url(props: Props, field: string, protocols: readonly string[], o: { required?: boolean; max?: number } = {}): string | undefined {
  const v = str(props, field, o);
  if (v === undefined || (v === '' && !o.required)) return v;
  let ok = false;
  try { ok = protocols.includes(new URL(v).protocol); } catch { ok = false; }
  const label = protocols.join() === 'http:,https:' ? 'http(s)' : protocols.map((p) => p.replace(':', '')).join('/');
  if (!ok) throw validationError(field, `'${v}' is not a valid absolute ${label} URL.`);
  return v;
}

/** The request body's `properties` object (a body is required for PUT), its members checked against `allowed`. */
export function propertiesOf(req: ArmRequest, typeName: string, allowed: readonly string[]): Record<string, unknown> {
  if (req.body === undefined || req.body === null) throw ArmErrors.missingBody();
  if (typeof req.body !== 'object' || Array.isArray(req.body)) throw ArmErrors.invalidRequestContent('The body must be a JSON object.');
  const body = req.body as Record<string, unknown>;
  rejectUnknown(body, ['properties', 'id', 'name', 'type'], typeName, '');
  const props = body.properties ?? {};
  if (typeof props !== 'object' || props === null || Array.isArray(props)) throw ArmErrors.invalidRequestContent("'properties' must be a JSON object.");
  rejectUnknown(props as Record<string, unknown>, allowed, `${typeName}Properties`, 'properties');
  return props as Record<string, unknown>;
}
