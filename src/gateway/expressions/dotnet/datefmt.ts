// Date and time text with the invariant culture: DateTime/DateTimeOffset standard formats (d D f F g G
// M O R s t T u U Y) and custom ones (yyyy MM dd HH hh mm ss fffffff FFF tt zzz K, quotes, escapes),
// TimeSpan's c/g/G and custom formats, and the parsers: the lenient Parse and format-driven ParseExact.
import { formatError, overflow } from './exceptions.js';
import { checkLength } from './composite.js';
import { dateToTicks, Kind, partsOf, TICKS_PER_DAY, TICKS_PER_HOUR, TICKS_PER_MINUTE, TICKS_PER_SECOND, timeToTicks } from './datetime.js';

export const DAY_NAMES = ['Sunday', 'Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday'];
export const MONTH_NAMES = ['January', 'February', 'March', 'April', 'May', 'June', 'July', 'August', 'September', 'October', 'November', 'December'];
const abbr = (s: string) => s.slice(0, 3);

/** The invariant culture's standard date/time patterns; `utc`: the value is shown in UTC (DateTimeOffset R/u, U). */
const STANDARD: Record<string, string> = {
  d: 'MM/dd/yyyy', D: 'dddd, dd MMMM yyyy', f: 'dddd, dd MMMM yyyy HH:mm', F: 'dddd, dd MMMM yyyy HH:mm:ss',
  g: 'MM/dd/yyyy HH:mm', G: 'MM/dd/yyyy HH:mm:ss', m: 'MMMM dd', M: 'MMMM dd',
  o: "yyyy'-'MM'-'dd'T'HH':'mm':'ss'.'fffffffK", O: "yyyy'-'MM'-'dd'T'HH':'mm':'ss'.'fffffffK",
  r: "ddd, dd MMM yyyy HH':'mm':'ss 'GMT'", R: "ddd, dd MMM yyyy HH':'mm':'ss 'GMT'",
  s: "yyyy'-'MM'-'dd'T'HH':'mm':'ss", t: 'HH:mm', T: 'HH:mm:ss', u: "yyyy'-'MM'-'dd HH':'mm':'ss'Z'",
  U: 'dddd, dd MMMM yyyy HH:mm:ss', y: 'yyyy MMMM', Y: 'yyyy MMMM',
};

const badFormat = () => formatError('Input string was not in a correct format.');

function repeatCount(f: string, i: number): number {
  let n = 1;
  while (i + n < f.length && f[i + n] === f[i]) n++;
  return n;
}

const pad = (v: number, n: number) => String(v).padStart(n, '0');

function offsetText(minutes: number, tokenLen: number): string {
  const sign = minutes < 0 ? '-' : '+';
  const a = Math.abs(minutes);
  const h = Math.floor(a / 60), m = a % 60;
  if (tokenLen === 1) return sign + h;
  if (tokenLen === 2) return sign + pad(h, 2);
  return `${sign}${pad(h, 2)}:${pad(m, 2)}`;
}

/** Reads a quoted literal starting at f[i] (the quote); returns [text, next index]. */
function quoted(f: string, i: number): [string, number] {
  const q = f[i];
  let out = '';
  let j = i + 1;
  while (j < f.length && f[j] !== q) {
    if (f[j] === '\\' && j + 1 < f.length) j++;
    out += f[j++];
  }
  if (j >= f.length) throw formatError(`Cannot find a matching quote character for the character '${q}'.`);
  return [out, j + 1];
}

/**
 * DateTime/DateTimeOffset ToString(format). `offset`: a DateTimeOffset's offset in minutes (null for a
 * DateTime); `ticks`: the clock time shown.
 */
export function formatDate(ticks: bigint, kind: Kind, offset: number | null, format: string | null): string {
  let f = format ?? '';
  let t = ticks;
  let off = offset;
  if (f === '') f = offset === null ? STANDARD.G : `${STANDARD.G} zzz`;
  else if (f.length === 1) {
    const std = STANDARD[f];
    if (std === undefined) throw badFormat();
    // R/r, u and U show a DateTimeOffset in UTC; U converts a DateTime to UTC (local is UTC here).
    if (offset !== null && 'rRuU'.includes(f)) { t = ticks - BigInt(offset) * TICKS_PER_MINUTE; off = 0; }
    f = std;
  }
  const p = partsOf(t);
  let out = '';
  for (let i = 0; i < f.length;) {
    const ch = f[i];
    let n = 1;
    switch (ch) {
      case 'd':
        n = repeatCount(f, i);
        out += n === 1 ? String(p.day) : n === 2 ? pad(p.day, 2) : n === 3 ? abbr(DAY_NAMES[p.dayOfWeek]) : DAY_NAMES[p.dayOfWeek];
        break;
      case 'f': case 'F': {
        n = repeatCount(f, i);
        if (n > 7) throw badFormat();
        let frac = pad(p.fraction, 7).slice(0, n);
        if (ch === 'F') {
          frac = frac.replace(/0+$/, '');
          if (!frac && out.endsWith('.')) out = out.slice(0, -1);
        }
        out += frac;
        break;
      }
      case 'g': n = repeatCount(f, i); out += 'A.D.'; break;
      case 'h': n = repeatCount(f, i); out += n === 1 ? String(p.hour % 12 || 12) : pad(p.hour % 12 || 12, 2); break;
      case 'H': n = repeatCount(f, i); out += n === 1 ? String(p.hour) : pad(p.hour, 2); break;
      case 'm': n = repeatCount(f, i); out += n === 1 ? String(p.minute) : pad(p.minute, 2); break;
      case 's': n = repeatCount(f, i); out += n === 1 ? String(p.second) : pad(p.second, 2); break;
      case 'M':
        n = repeatCount(f, i);
        out += n === 1 ? String(p.month) : n === 2 ? pad(p.month, 2) : n === 3 ? abbr(MONTH_NAMES[p.month - 1]) : MONTH_NAMES[p.month - 1];
        break;
      case 't': n = repeatCount(f, i); out += n === 1 ? (p.hour < 12 ? 'A' : 'P') : p.hour < 12 ? 'AM' : 'PM'; break;
      case 'y':
        n = repeatCount(f, i);
        out += n === 1 ? String(p.year % 100) : n === 2 ? pad(p.year % 100, 2) : pad(p.year, n);
        break;
      case 'z': n = repeatCount(f, i); out += offsetText(off ?? 0, n); break;
      case 'K':
        if (off !== null) out += offsetText(off, 3);
        else if (kind === Kind.Utc) out += 'Z';
        else if (kind === Kind.Local) out += '+00:00';
        break;
      case ':': case '/': out += ch; break;
      case '\'': case '"': { const [lit, next] = quoted(f, i); out += lit; i = next; continue; }
      case '%':
        // "%d": the next letter is a custom specifier even when alone.
        if (i + 1 >= f.length || f[i + 1] === '%') throw badFormat();
        i++;
        continue;
      case '\\':
        if (i + 1 >= f.length) throw badFormat();
        out += f[i + 1]; i += 2;
        continue;
      default: out += ch;
    }
    i += n;
    checkLength(out.length);
  }
  return out;
}

// ---- TimeSpan ----------------------------------------------------------------------------------

export function formatTimeSpan(ticks: bigint, format: string | null): string {
  const neg = ticks < 0n;
  const a = neg ? -ticks : ticks;
  const days = a / TICKS_PER_DAY;
  const h = Number((a / TICKS_PER_HOUR) % 24n), m = Number((a / TICKS_PER_MINUTE) % 60n), s = Number((a / TICKS_PER_SECOND) % 60n);
  const frac = Number(a % TICKS_PER_SECOND);
  const sign = neg ? '-' : '';
  const f = format ?? '';
  if (f === '' || f === 'c' || f === 't' || f === 'T') {
    return `${sign}${days ? days + '.' : ''}${pad(h, 2)}:${pad(m, 2)}:${pad(s, 2)}${frac ? '.' + pad(frac, 7) : ''}`;
  }
  if (f === 'g') {
    return `${sign}${days ? days + ':' : ''}${h}:${pad(m, 2)}:${pad(s, 2)}${frac ? '.' + pad(frac, 7).replace(/0+$/, '') : ''}`;
  }
  if (f === 'G') return `${sign}${days}:${pad(h, 2)}:${pad(m, 2)}:${pad(s, 2)}.${pad(frac, 7)}`;
  if (f.length === 1 && f !== '%' && f !== '\\') throw badFormat();
  let out = '';
  for (let i = 0; i < f.length;) {
    const ch = f[i];
    const n = repeatCount(f, i);
    switch (ch) {
      case 'd': if (n > 8) throw badFormat(); out += String(days).padStart(n, '0'); break;
      case 'h': if (n > 2) throw badFormat(); out += pad(h, n); break;
      case 'm': if (n > 2) throw badFormat(); out += pad(m, n); break;
      case 's': if (n > 2) throw badFormat(); out += pad(s, n); break;
      case 'f': if (n > 7) throw badFormat(); out += pad(frac, 7).slice(0, n); break;
      case 'F': if (n > 7) throw badFormat(); out += pad(frac, 7).slice(0, n).replace(/0+$/, ''); break;
      case '\'': case '"': { const [lit, next] = quoted(f, i); out += lit; i = next; continue; }
      case '%': if (i + 1 >= f.length || f[i + 1] === '%') throw badFormat(); i++; continue;
      case '\\': if (i + 1 >= f.length) throw badFormat(); out += f[i + 1]; i += 2; continue;
      default: throw badFormat();
    }
    i += n;
  }
  return out;
}

const badTimeSpan = (s: string) => formatError(`String '${s}' was not recognized as a valid TimeSpan.`);

/** TimeSpan.Parse (invariant): [ws][-]{ d | [d.]hh:mm[:ss[.ff]] | d:hh:mm:ss[.ff] }[ws]. */
export function parseTimeSpan(s: string): bigint | { error: 'format' | 'overflow' } {
  const m = /^\s*(-)?(\d+(?:[.:]\d+)*)\s*$/.exec(s);
  if (!m) return { error: 'format' };
  const neg = !!m[1];
  const body = m[2];
  let days = '0', h = '0', mi = '0', sec = '0', frac = '';
  const colon = body.split(':');
  if (colon.length === 1) {
    if (body.includes('.')) return { error: 'format' };
    days = body;
  } else {
    const first = colon[0].split('.');
    if (first.length > 2) return { error: 'format' };
    const rest = colon.slice(1);
    let parts: string[];
    if (first.length === 2) { days = first[0]; parts = [first[1], ...rest]; } else parts = [first[0], ...rest];
    const last = parts[parts.length - 1].split('.');
    if (last.length > 2) return { error: 'format' };
    if (last.length === 2) { parts[parts.length - 1] = last[0]; frac = last[1]; }
    if (first.length === 1 && parts.length === 4) days = parts.shift()!; // d:hh:mm:ss
    if (parts.length < 2 || parts.length > 3) return { error: 'format' };
    if (frac && parts.length !== 3) return { error: 'format' };
    [h, mi, sec = '0'] = parts;
    if (parts.slice(1).some((x) => x.length > 2 && Number(x) > 59)) return { error: 'overflow' };
  }
  const D = Number(days), H = Number(h), MI = Number(mi), S = Number(sec);
  if (D > 10675199 || H > 23 || MI > 59 || S > 59 || frac.length > 7) return { error: 'overflow' };
  const t = BigInt(D) * TICKS_PER_DAY + BigInt(H) * TICKS_PER_HOUR + BigInt(MI) * TICKS_PER_MINUTE + BigInt(S) * TICKS_PER_SECOND
    + (frac ? BigInt(frac.padEnd(7, '0')) : 0n);
  return neg ? -t : t;
}

export function parseTimeSpanOrThrow(s: string): bigint {
  const r = parseTimeSpan(s);
  if (typeof r === 'bigint') return r;
  if (r.error === 'overflow') throw overflow(`The TimeSpan string '${s}' could not be parsed because at least one of the numeric components is out of range or contains too many digits.`);
  throw badTimeSpan(s);
}

// ---- parsing dates -------------------------------------------------------------------------------

/** A parsed date: the clock ticks and the offset in minutes when the text had one (Z, GMT, ±hh:mm). */
export interface ParsedDate { ticks: bigint; offset: number | null }

const monthIndex = (name: string): number => {
  const l = name.toLowerCase();
  const i = MONTH_NAMES.findIndex((m) => m.toLowerCase() === l || abbr(m).toLowerCase() === l);
  return i < 0 ? -1 : i + 1;
};

function zone(text: string | undefined): number | null | undefined {
  if (!text) return null;
  if (/^(z|gmt|utc)$/i.test(text)) return 0;
  const m = /^([+-])(\d{1,2})(?::?(\d{2}))?$/.exec(text);
  if (!m) return undefined;
  const v = Number(m[2]) * 60 + Number(m[3] ?? 0);
  if (Number(m[2]) > 14 || Number(m[3] ?? 0) > 59) return undefined;
  return m[1] === '-' ? -v : v;
}

function build(y: number, mo: number, d: number, h: number, mi: number, s: number, frac: string | undefined, ampm: string | undefined, zoneText: string | undefined): ParsedDate | null {
  let hour = h;
  if (ampm) {
    if (hour < 1 || hour > 12) return null;
    hour = hour % 12 + (/^p/i.test(ampm) ? 12 : 0);
  }
  const off = zone(zoneText);
  if (off === undefined) return null;
  try {
    const ticks = dateToTicks(y, mo, d) + timeToTicks(hour, mi, s) + (frac ? BigInt(frac.slice(0, 7).padEnd(7, '0')) : 0n);
    return { ticks, offset: off };
  } catch { return null; }
}

const TIME = String.raw`(\d{1,2}):(\d{2})(?::(\d{2})(?:\.(\d+))?)?\s*(AM|PM|A|P)?`;
const ZONE = String.raw`\s*(Z|GMT|UTC|[+-]\d{1,2}(?::?\d{2})?)?`;

/**
 * DateTime.Parse / DateTimeOffset.Parse with the invariant culture, for the forms real inputs use: ISO
 * 8601 (with T or a space, fractions, Z or an offset), MM/dd/yyyy [time], RFC 1123, "dd MMMM yyyy",
 * "MMMM dd, yyyy", yyyy/MM/dd, a time alone (today). `today`: the date for a time alone.
 */
export function parseDate(s: string, today: () => bigint): ParsedDate | null {
  const text = s.trim();
  let m = new RegExp(String.raw`^(\d{4})-(\d{1,2})-(\d{1,2})(?:[T ]` + TIME + ')?' + ZONE + '$', 'i').exec(text);
  if (m) return build(+m[1], +m[2], +m[3], +(m[4] ?? 0), +(m[5] ?? 0), +(m[6] ?? 0), m[7], m[8], m[9]);
  m = new RegExp(String.raw`^(\d{4})/(\d{1,2})/(\d{1,2})(?:\s+` + TIME + ')?' + ZONE + '$', 'i').exec(text);
  if (m) return build(+m[1], +m[2], +m[3], +(m[4] ?? 0), +(m[5] ?? 0), +(m[6] ?? 0), m[7], m[8], m[9]);
  m = new RegExp(String.raw`^(\d{1,2})[/.-](\d{1,2})[/.-](\d{4})(?:\s+` + TIME + ')?' + ZONE + '$', 'i').exec(text);
  if (m) return build(+m[3], +m[1], +m[2], +(m[4] ?? 0), +(m[5] ?? 0), +(m[6] ?? 0), m[7], m[8], m[9]);
  // RFC 1123 and "dd MMMM yyyy [time]", with an optional day name.
  m = new RegExp(String.raw`^(?:[A-Za-z]+,?\s+)?(\d{1,2})[\s-]+([A-Za-z]+)[\s-]+(\d{4})(?:\s+` + TIME + ')?' + ZONE + '$', 'i').exec(text);
  if (m) {
    const mo = monthIndex(m[2]);
    return mo < 0 ? null : build(+m[3], mo, +m[1], +(m[4] ?? 0), +(m[5] ?? 0), +(m[6] ?? 0), m[7], m[8], m[9]);
  }
  m = new RegExp(String.raw`^(?:[A-Za-z]+,?\s+)?([A-Za-z]+)\s+(\d{1,2}),?\s+(\d{4})(?:\s+` + TIME + ')?' + ZONE + '$', 'i').exec(text);
  if (m) {
    const mo = monthIndex(m[1]);
    return mo < 0 ? null : build(+m[3], mo, +m[2], +(m[4] ?? 0), +(m[5] ?? 0), +(m[6] ?? 0), m[7], m[8], m[9]);
  }
  m = new RegExp('^' + TIME + ZONE + '$', 'i').exec(text);
  if (m) {
    const day = partsOf(today());
    return build(day.year, day.month, day.day, +m[1], +m[2], +(m[3] ?? 0), m[4], m[5], m[6]);
  }
  return null;
}

/** Expands a one-letter standard format to its pattern for ParseExact; `null` for an unknown letter. */
function exactPattern(format: string): string | null {
  if (format.length !== 1) return format;
  return STANDARD[format] ?? null;
}

/** DateTime/DateTimeOffset.ParseExact with the invariant culture and DateTimeStyles.None. */
export function parseExact(s: string, format: string, today: () => bigint): ParsedDate | null {
  const f = exactPattern(format);
  if (f === null || f === '') return null;
  let y = 1, mo = 1, d = 1, h = 0, mi = 0, sec = 0, frac = 0n, pm: boolean | null = null, off: number | null = null;
  let hasDate = false;
  let i = 0, j = 0;
  const num = (min: number, max: number): number | null => {
    const m = new RegExp(`^\\d{${min},${max}}`).exec(s.slice(j));
    if (!m) return null;
    j += m[0].length;
    return Number(m[0]);
  };
  const word = (names: string[]): number | null => {
    const rest = s.slice(j).toLowerCase();
    for (let k = 0; k < names.length; k++) if (rest.startsWith(names[k].toLowerCase())) { j += names[k].length; return k; }
    return null;
  };
  while (i < f.length) {
    const ch = f[i];
    let n = repeatCount(f, i);
    let v: number | null = 0;
    switch (ch) {
      case 'd':
        if (n <= 2) { v = num(n, 2); d = v ?? 0; hasDate = true; } else v = word(n === 3 ? DAY_NAMES.map(abbr) : DAY_NAMES);
        break;
      case 'M':
        if (n <= 2) v = num(n, 2); else { v = word(n === 3 ? MONTH_NAMES.map(abbr) : MONTH_NAMES); if (v !== null) v++; }
        mo = v ?? 0; hasDate = true;
        break;
      case 'y':
        v = n <= 2 ? num(n, 2) : num(n, Math.max(n, 4));
        if (v !== null && n <= 2) v += v < 50 ? 2000 : 1900;
        y = v ?? 0; hasDate = true;
        break;
      case 'H': v = num(n, 2); h = v ?? 0; break;
      case 'h': v = num(n, 2); h = v ?? 0; if (pm === null) pm = false; break;
      case 'm': v = num(n, 2); mi = v ?? 0; break;
      case 's': v = num(n, 2); sec = v ?? 0; break;
      case 'f': case 'F': {
        if (n > 7) return null;
        const m = new RegExp(`^\\d{${ch === 'f' ? n : 0},${n}}`).exec(s.slice(j));
        if (!m) return null;
        j += m[0].length;
        frac = m[0] ? BigInt(m[0].padEnd(7, '0')) : 0n;
        break;
      }
      case 't': {
        const w = n === 1 ? word(['A', 'P']) : word(['AM', 'PM']);
        if (w === null) return null;
        pm = w === 1;
        break;
      }
      case 'z': case 'K': {
        if (ch === 'K' && /^z/i.test(s.slice(j))) { j++; off = 0; break; }
        const m = /^([+-])(\d{1,2})(?::?(\d{2}))?/.exec(s.slice(j));
        if (!m) { if (ch === 'K') break; return null; }
        if ((ch === 'z' && n === 3 && !m[3]) || Number(m[2]) > 14) return null;
        j += m[0].length;
        off = (Number(m[2]) * 60 + Number(m[3] ?? 0)) * (m[1] === '-' ? -1 : 1);
        break;
      }
      case '\'': case '"': {
        const [lit, next] = quoted(f, i);
        if (!s.startsWith(lit, j)) return null;
        if (lit === 'GMT') off = 0;
        j += lit.length; i = next;
        continue;
      }
      case '%': i++; continue;
      case '\\': if (s[j] !== f[i + 1]) return null; j++; i += 2; continue;
      default:
        n = 1;
        if (s[j] !== ch) return null;
        j++;
    }
    if (v === null) return null;
    i += n;
  }
  if (j !== s.length) return null;
  if (pm !== null) { if (h < 1 || h > 12) return null; h = (h % 12) + (pm ? 12 : 0); }
  try {
    const base = hasDate ? dateToTicks(y, mo, d) : today() - (today() % TICKS_PER_DAY);
    return { ticks: base + timeToTicks(h, mi, sec) + frac, offset: off };
  } catch { return null; }
}

export const badDate = (s: string) => formatError(`String '${s}' was not recognized as a valid DateTime.`);
