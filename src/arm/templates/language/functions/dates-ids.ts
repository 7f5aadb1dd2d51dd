// Date, guid and unique-string functions (template-functions-date, template-functions-string#guid).
// utcNow and newGuid are not deterministic, so ARM allows them only in parameter default values.
import { randomUUID } from 'node:crypto';
import { ExpressionError, Msg } from '../errors.js';
import { armGuid, uniqueString } from '../hash.js';
import type { JsonValue } from '../values.js';
import { typeName } from '../values.js';
import { arity, defineAll, fail, int, str, type FunctionContext } from './types.js';

function parameterDefaultOnly(c: FunctionContext): void {
  if (c.phase !== 'parameterDefault') {
    throw new ExpressionError(`${Msg.functionNotExpected(c.name)} The function can only be used in the default value of a parameter.`);
  }
}

function strings(name: string, a: readonly JsonValue[]): string[] {
  arity(name, a, 1, Infinity);
  return a.map((v) => {
    if (typeof v !== 'string') throw fail(name, `all parameters must be of type 'String'; a parameter is of type '${typeName(v)}'.`);
    return v;
  });
}

const pad = (n: number, w = 2) => String(n).padStart(w, '0');

/** .NET date formatting with the invariant culture: standard formats u, s, o, d, D, t, T, g, G and custom patterns. */
export function formatDate(d: Date, format: string): string {
  const h12 = d.getUTCHours() % 12 === 0 ? 12 : d.getUTCHours() % 12;
  const ampm = d.getUTCHours() < 12 ? 'AM' : 'PM';
  const days = ['Sunday', 'Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday'];
  const months = ['January', 'February', 'March', 'April', 'May', 'June', 'July', 'August', 'September', 'October', 'November', 'December'];
  const standard: Record<string, string> = {
    u: 'yyyy-MM-dd HH:mm:ssZ', s: 'yyyy-MM-ddTHH:mm:ss', d: 'M/d/yyyy', D: 'dddd, dd MMMM yyyy', t: 'HH:mm', T: 'HH:mm:ss',
    g: 'M/d/yyyy HH:mm', G: 'M/d/yyyy h:mm:ss tt', o: 'yyyy-MM-ddTHH:mm:ss.fffffffZ', O: 'yyyy-MM-ddTHH:mm:ss.fffffffZ', r: 'ddd, dd MMM yyyy HH:mm:ss GMT', R: 'ddd, dd MMM yyyy HH:mm:ss GMT',
  };
  const pattern = format.length === 1 ? standard[format] : format;
  if (pattern === undefined) throw fail('utcNow', `the format '${format}' is not valid.`);
  const tokens: Record<string, () => string> = {
    yyyy: () => pad(d.getUTCFullYear(), 4), yy: () => pad(d.getUTCFullYear() % 100),
    MMMM: () => months[d.getUTCMonth()]!, MMM: () => months[d.getUTCMonth()]!.slice(0, 3), MM: () => pad(d.getUTCMonth() + 1), M: () => String(d.getUTCMonth() + 1),
    dddd: () => days[d.getUTCDay()]!, ddd: () => days[d.getUTCDay()]!.slice(0, 3), dd: () => pad(d.getUTCDate()), d: () => String(d.getUTCDate()),
    HH: () => pad(d.getUTCHours()), H: () => String(d.getUTCHours()), hh: () => pad(h12), h: () => String(h12),
    mm: () => pad(d.getUTCMinutes()), m: () => String(d.getUTCMinutes()), ss: () => pad(d.getUTCSeconds()), s: () => String(d.getUTCSeconds()),
    fffffff: () => pad(d.getUTCMilliseconds(), 3) + '0000', fff: () => pad(d.getUTCMilliseconds(), 3), tt: () => ampm, K: () => 'Z',
  };
  const re = /yyyy|yy|MMMM|MMM|MM|M|dddd|ddd|dd|d|HH|H|hh|h|mm|m|ss|s|fffffff|fff|tt|K|'[^']*'|\\./g;
  return pattern.replace(re, (t) => (t.startsWith("'") ? t.slice(1, -1) : t.startsWith('\\') ? t.slice(1) : tokens[t]!()));
}

function parseDate(name: string, s: string): Date {
  const t = Date.parse(/[zZ]|[+-]\d\d:?\d\d$/.test(s) ? s : `${s}Z`);
  if (Number.isNaN(t)) throw fail(name, `the value '${s}' is not a valid date and time.`);
  return new Date(t);
}

/** ISO 8601 duration: P[nY][nM][nW][nD][T[nH][nM][nS]], optionally negative. */
function addDuration(name: string, d: Date, duration: string): Date {
  const m = /^(-)?P(?:(\d+)Y)?(?:(\d+)M)?(?:(\d+)W)?(?:(\d+)D)?(?:T(?:(\d+)H)?(?:(\d+)M)?(?:(\d+(?:\.\d+)?)S)?)?$/.exec(duration);
  if (!m || duration === 'P' || duration.endsWith('T')) throw fail(name, `the duration '${duration}' is not a valid ISO 8601 duration.`);
  const sign = m[1] ? -1 : 1;
  const n = (i: number) => sign * Number(m[i] ?? 0);
  const out = new Date(d.getTime());
  out.setUTCFullYear(out.getUTCFullYear() + n(2), out.getUTCMonth() + n(3), out.getUTCDate() + n(4) * 7 + n(5));
  out.setTime(out.getTime() + ((n(6) * 60 + n(7)) * 60 + n(8)) * 1000);
  return out;
}

export const dateIdFunctions = defineAll(
  {
    name: 'utcNow', call: (a, c) => {
      arity(c.name, a, 0, 1);
      parameterDefaultOnly(c);
      return formatDate(new Date(), a.length ? str(c.name, a, 0) : "yyyyMMdd'T'HHmmss'Z'");
    },
  },
  { name: 'newGuid', call: (a, c) => { arity(c.name, a, 0); parameterDefaultOnly(c); return randomUUID(); } },
  { name: 'guid', call: (a, c) => armGuid(strings(c.name, a)) },
  { name: 'uniqueString', call: (a, c) => uniqueString(strings(c.name, a)) },
  {
    name: 'dateTimeAdd', call: (a, c) => {
      arity(c.name, a, 2, 3);
      const d = addDuration(c.name, parseDate(c.name, str(c.name, a, 0)), str(c.name, a, 1));
      return formatDate(d, a.length === 3 ? str(c.name, a, 2) : 'G');
    },
  },
  {
    name: 'dateTimeFromEpoch', call: (a, c) => {
      arity(c.name, a, 1);
      return new Date(int(c.name, a, 0) * 1000).toISOString().replace('.000Z', 'Z');
    },
  },
  {
    name: 'dateTimeToEpoch', call: (a, c) => {
      arity(c.name, a, 1);
      return Math.floor(parseDate(c.name, str(c.name, a, 0)).getTime() / 1000);
    },
  },
);
