// .NET's number formatting with the invariant culture (System.Number.Formatting in .NET Core 3+):
// standard format strings (C D E F G N P R X with a precision) and custom ones ("#,##0.00", "0.###E+0",
// sections with ';'). A number is first turned into decimal digits the way .NET does for its type:
// - double: the shortest round-trip digits for ToString()/"R"/"G"; otherwise the exact binary value
//   rounded at the requested digit with ties to even (.NET Core 3+ is IEEE-correct: 2.5.ToString("F0")
//   is "2", 0.125.ToString("F2") is "0.12"); custom formats take 15 significant digits first;
// - decimal (held as a JS number): the shortest digits of the number, rounded half away from zero;
// - integers (int as number, long as bigint): exact, rounded half away from zero.
import { DotNetException, formatError } from './exceptions.js';

export type NumKind = 'int' | 'float' | 'decimal';

/** Digits of |value| = 0.d1d2d3… × 10^scale, no trailing zeros; zero is digits ''. */
interface Num { neg: boolean; digits: string; scale: number; kind: NumKind }

const INV = {
  nan: 'NaN', posInf: 'Infinity', negInf: '-Infinity', currency: '\u00a4', percent: '%', permille: '\u2030',
} as const;

/** Precision past this would build strings of many megabytes: refused like .NET running out of memory. */
const MAX_PRECISION = 1_000_000;

export const badFormatSpecifier = () => formatError('Format specifier was invalid.');

function trimZeros(n: Num): Num {
  let d = n.digits.replace(/0+$/, '');
  let scale = n.scale;
  const lead = /^0*/.exec(d)![0].length;
  if (lead) { d = d.slice(lead); scale -= lead; }
  if (!d) scale = 0;
  return { ...n, digits: d, scale };
}

function fromBigInt(v: bigint): Num {
  const neg = v < 0n;
  const s = (neg ? -v : v).toString();
  return trimZeros({ neg, digits: s, scale: s.length, kind: 'int' });
}

/** The digits JS (like .NET Core 3+) prints for the shortest string that reads back as the same double. */
function shortest(x: number, kind: NumKind): Num {
  const neg = x < 0 || Object.is(x, -0);
  const s = Math.abs(x).toExponential();       // shortest round-trip digits, as d.ddde±x
  const [mant, exp] = s.split('e');
  const digits = mant.replace('.', '');
  return trimZeros({ neg, digits, scale: Number(exp) + 1, kind });
}

/** The exact decimal expansion of a finite double (at most ~770 significant digits). */
function exact(x: number): Num {
  const neg = x < 0 || Object.is(x, -0);
  const a = Math.abs(x);
  if (a === 0) return { neg, digits: '', scale: 0, kind: 'float' };
  const view = new DataView(new ArrayBuffer(8));
  view.setFloat64(0, a);
  const hi = view.getUint32(0), lo = view.getUint32(4);
  const bexp = (hi >>> 20) & 0x7ff;
  let mant = (BigInt(hi & 0xfffff) << 32n) | BigInt(lo);
  let e: number;
  if (bexp === 0) e = -1074; else { mant |= 1n << 52n; e = bexp - 1075; }
  if (e >= 0) return fixScale(neg, (mant << BigInt(e)).toString(), 0);
  const s = (mant * 5n ** BigInt(-e)).toString();
  return fixScale(neg, s, e);
}
function fixScale(neg: boolean, intDigits: string, pow10: number): Num {
  return trimZeros({ neg, digits: intDigits, scale: intDigits.length + pow10, kind: 'float' });
}

/**
 * Keeps `pos` digits (counted from the first digit; may be ≤ 0 or past the end). `exactTies`: the digits are
 * the exact value, a tie rounds to even (IEEE, .NET Core's Dragon4); otherwise a 5 rounds away from zero.
 */
function round(n: Num, pos: number, exactTies: boolean): Num {
  const d = n.digits;
  if (pos >= d.length) return n;
  let up: boolean;
  if (pos < 0) up = false;
  else {
    const next = d.charCodeAt(pos) - 48;
    if (next > 5) up = true;
    else if (next < 5) up = false;
    else if (!exactTies || /[1-9]/.test(d.slice(pos + 1))) up = true;
    else up = pos > 0 && (d.charCodeAt(pos - 1) - 48) % 2 === 1;
  }
  let kept = pos > 0 ? d.slice(0, pos) : '';
  let scale = n.scale;
  if (up) {
    let i = kept.length;
    while (i > 0 && kept[i - 1] === '9') i--;
    if (i === 0) { kept = '1'; scale++; }
    else kept = kept.slice(0, i - 1) + String.fromCharCode(kept.charCodeAt(i - 1) + 1);
  }
  const r = trimZeros({ ...n, digits: kept, scale });
  // .NET keeps the sign of a floating-point value rounded to zero ("-0.00"), not of integers/decimals.
  if (!r.digits && n.kind !== 'float') r.neg = false;
  return r;
}

/** Parses "F2" → ['F', 2]; "F" → ['F', -1]; ''/null → ['G', -1]; a custom format → ['\0', -1]. */
export function parseSpecifier(format: string | null | undefined): [string, number] {
  if (!format) return ['G', -1];
  const c = format[0];
  if (/[A-Za-z]/.test(c)) {
    let i = 1, p = 0;
    while (i < format.length && format[i] >= '0' && format[i] <= '9') {
      if (p >= 100_000_000) throw badFormatSpecifier();
      p = p * 10 + (format.charCodeAt(i++) - 48);
    }
    if (i >= format.length) return [c, i === 1 ? -1 : p];
  }
  return ['\0', -1];
}

function checkSize(precision: number): void {
  if (precision > MAX_PRECISION) throw new DotNetException('System.OutOfMemoryException', 'Insufficient memory to continue the execution of the program.');
}

function groupInt(s: string): string {
  let out = '';
  for (let i = 0; i < s.length; i++) {
    if (i > 0 && (s.length - i) % 3 === 0) out += ',';
    out += s[i];
  }
  return out;
}

/** Integer part and `decimals` fraction digits of a rounded number (FormatFixed). */
function fixed(n: Num, decimals: number, group: boolean): string {
  let intPart = '';
  if (n.scale > 0) intPart = n.digits.slice(0, n.scale).padEnd(n.scale, '0');
  else intPart = '0';
  if (group) intPart = groupInt(intPart);
  if (decimals <= 0) return intPart;
  let frac = '';
  if (n.scale < 0) frac = '0'.repeat(Math.min(-n.scale, decimals));
  frac += n.digits.slice(Math.max(n.scale, 0));
  return `${intPart}.${frac.slice(0, decimals).padEnd(decimals, '0')}`;
}

function exponent(e: number, ch: string, minDigits: number, plus: boolean): string {
  return ch + (e < 0 ? '-' : plus ? '+' : '') + String(Math.abs(e)).padStart(minDigits, '0');
}

function scientific(n: Num, digits: number, ch: string): string {
  const d = n.digits.padEnd(digits, '0');
  const mant = d[0] + (digits > 1 ? '.' + d.slice(1, digits) : '');
  return mant + exponent(n.digits ? n.scale - 1 : 0, ch, 3, true);
}

function general(n: Num, maxDigits: number, ch: string, suppressScientific: boolean): string {
  let pos = n.scale;
  let sci = false;
  if (!suppressScientific && (pos > maxDigits || pos < -3)) { pos = 1; sci = true; }
  const d = n.digits;
  let out = '';
  let i = 0;
  if (pos > 0) { for (; i < pos; i++) out += d[i] ?? '0'; } else out = '0';
  if (i < d.length || pos < 0) {
    out += '.';
    if (pos < 0) out += '0'.repeat(-pos);
    out += d.slice(i);
  }
  if (sci) out += exponent(n.scale - 1, ch, 2, true);
  return out;
}

/** The standard formats other than D/X/R, on digits already exact for the type. */
function standard(n: Num, fmt: string, precision: number, exactTies: boolean): string {
  const upper = fmt.toUpperCase();
  const sign = (s: string, r: Num) => (r.neg ? '-' + s : s);
  switch (upper) {
    case 'C': {
      const p = precision < 0 ? 2 : precision; checkSize(p);
      const r = round(n, n.scale + p, exactTies);
      const body = INV.currency + fixed(r, p, true);
      return r.neg ? `(${body})` : body;
    }
    case 'F': case 'N': {
      const p = precision < 0 ? 2 : precision; checkSize(p);
      const r = round(n, n.scale + p, exactTies);
      return sign(fixed(r, p, upper === 'N'), r);
    }
    case 'E': {
      const p = (precision < 0 ? 6 : precision) + 1; checkSize(p);
      const r = round(n, p, exactTies);
      return sign(scientific(r, p, fmt === 'e' ? 'e' : 'E'), r);
    }
    case 'G': {
      let max = precision;
      let suppress = false;
      if (max < 1) {
        suppress = n.kind === 'decimal' && max === -1; // decimal "G": all its digits, never scientific
        // doubles: at least 15 digits before switching to E notation ("1E+15" but "100000000000000")
        max = n.kind === 'float' ? Math.max(n.digits.length, 15) : Math.max(n.digits.length, n.scale, 1);
      }
      checkSize(max);
      const r = round(n, max, exactTies);
      return sign(general(r, max, fmt === 'g' ? 'e' : 'E', suppress), r);
    }
    case 'P': {
      const p = precision < 0 ? 2 : precision; checkSize(p);
      const scaled = { ...n, scale: n.digits ? n.scale + 2 : 0 };
      const r = round(scaled, scaled.scale + p, exactTies);
      return sign(fixed(r, p, true) + ' ' + INV.percent, r);
    }
    default: throw badFormatSpecifier();
  }
}

// ---- custom formats ------------------------------------------------------------------------------

function findSection(format: string, section: number): number {
  if (section === 0) return 0;
  let src = 0;
  for (;;) {
    if (src >= format.length) return 0;
    const ch = format[src++];
    if (ch === '\'' || ch === '"') { while (src < format.length && format[src++] !== ch); }
    else if (ch === '\\') { if (src < format.length) src++; }
    else if (ch === ';') {
      if (--section !== 0) continue;
      if (src < format.length && format[src] !== ';') return src;
      return 0;
    }
  }
}

/** NumberToStringFormat: .NET's interpreter of custom numeric formats. */
function custom(num: Num, format: string): string {
  let n = num;
  let section = findSection(format, !n.digits ? 2 : n.neg ? 1 : 0);
  let digitCount = 0, decimalPos = -1, firstDigit = 0x7fffffff, lastDigit = 0, scientificFmt = false;
  let thousandPos = -1, thousandCount = 0, thousandSeps = false, scaleAdjust = 0;
  for (;;) {
    digitCount = 0; decimalPos = -1; firstDigit = 0x7fffffff; lastDigit = 0; scientificFmt = false;
    thousandPos = -1; thousandSeps = false; scaleAdjust = 0;
    let src = section;
    while (src < format.length) {
      const ch = format[src++];
      if (ch === ';') break;
      switch (ch) {
        case '#': digitCount++; break;
        case '0': if (firstDigit === 0x7fffffff) firstDigit = digitCount; digitCount++; lastDigit = digitCount; break;
        case '.': if (decimalPos < 0) decimalPos = digitCount; break;
        case ',':
          if (digitCount > 0 && decimalPos < 0) {
            if (thousandPos >= 0) {
              if (thousandPos === digitCount) { thousandCount++; break; }
              thousandSeps = true;
            }
            thousandPos = digitCount; thousandCount = 1;
          }
          break;
        case '%': scaleAdjust += 2; break;
        case '\u2030': scaleAdjust += 3; break;
        case '\'': case '"': while (src < format.length && format[src++] !== ch); break;
        case '\\': if (src < format.length) src++; break;
        case 'E': case 'e':
          if ((src < format.length && format[src] === '0') ||
            (src + 1 < format.length && (format[src] === '+' || format[src] === '-') && format[src + 1] === '0')) {
            while (++src < format.length && format[src] === '0');
            scientificFmt = true;
          }
          break;
      }
    }
    if (decimalPos < 0) decimalPos = digitCount;
    if (thousandPos >= 0) {
      if (thousandPos === decimalPos) scaleAdjust -= thousandCount * 3;
      else thousandSeps = true;
    }
    if (n.digits) {
      n = { ...n, scale: n.scale + scaleAdjust };
      const pos = scientificFmt ? digitCount : n.scale + digitCount - decimalPos;
      n = round(n, pos, false);
      if (!n.digits) {
        const s = findSection(format, 2);
        if (s !== section) { section = s; continue; }
      }
    } else {
      n = { ...n, scale: 0, neg: n.kind === 'float' ? n.neg : false };
    }
    break;
  }
  checkSize(digitCount + Math.max(n.scale, 0));

  firstDigit = firstDigit < decimalPos ? decimalPos - firstDigit : 0;
  lastDigit = lastDigit > decimalPos ? decimalPos - lastDigit : 0;
  let digPos: number, adjust: number;
  if (scientificFmt) { digPos = decimalPos; adjust = 0; } else {
    digPos = n.scale > decimalPos ? n.scale : decimalPos;
    adjust = n.scale - decimalPos;
  }
  const sepPos: number[] = [];
  let sepCtr = -1;
  if (thousandSeps) {
    let total = 3;
    const totalDigits = digPos + (adjust < 0 ? adjust : 0);
    const numDigits = firstDigit > totalDigits ? firstDigit : totalDigits;
    while (numDigits > total) { sepPos[++sepCtr] = total; total += 3; }
  }
  let out = '';
  if (n.neg && section === 0 && n.scale !== 0) out += '-';
  let decimalWritten = false;
  let cur = 0;
  const d = n.digits;
  const next = (): string => (cur < d.length ? d[cur++] : '');
  let src = section;
  const sep = () => {
    if (thousandSeps && digPos > 1 && sepCtr >= 0 && digPos === sepPos[sepCtr] + 1) { out += ','; sepCtr--; }
  };
  while (src < format.length) {
    let ch = format[src++];
    if (ch === ';') break;
    if (adjust > 0 && (ch === '#' || ch === '0' || ch === '.')) {
      while (adjust > 0) {
        out += next() || '0';
        sep();
        digPos--; adjust--;
      }
    }
    switch (ch) {
      case '#': case '0': {
        let c: string;
        if (adjust < 0) { adjust++; c = digPos <= firstDigit ? '0' : ''; } else {
          c = next();
          if (!c) c = digPos > lastDigit ? '0' : '';
        }
        if (c) { out += c; sep(); }
        digPos--;
        break;
      }
      case '.':
        if (digPos !== 0 || decimalWritten) break;
        if (lastDigit < 0 || (decimalPos < digitCount && cur < d.length)) { out += '.'; decimalWritten = true; }
        break;
      case '\u2030': out += INV.permille; break;
      case '%': out += INV.percent; break;
      case ',': break;
      case '\'': case '"':
        while (src < format.length && format[src] !== ch) out += format[src++];
        if (src < format.length) src++;
        break;
      case '\\': if (src < format.length) out += format[src++]; break;
      case 'E': case 'e': {
        let plus = false, i = 0;
        if (scientificFmt) {
          if (src < format.length && format[src] === '0') i++;
          else if (src + 1 < format.length && format[src] === '+' && format[src + 1] === '0') plus = true;
          else if (!(src + 1 < format.length && format[src] === '-' && format[src + 1] === '0')) { out += ch; break; }
          while (++src < format.length && format[src] === '0') i++;
          if (i > 10) i = 10;
          out += exponent(d ? n.scale - decimalPos : 0, ch, i, plus);
          scientificFmt = false;
        } else {
          out += ch;
          if (src < format.length) {
            if (format[src] === '+' || format[src] === '-') out += format[src++];
            while (src < format.length && format[src] === '0') out += format[src++];
          }
        }
        break;
      }
      default: out += ch; ch = '';
    }
  }
  if (n.neg && section === 0 && n.scale === 0 && out.length > 0) out = '-' + out;
  return out;
}

// ---- entry points per .NET type -----------------------------------------------------------------

/** Int32/Int16/Byte… (`bits`: the type's width, for "X" of negative values) held as a number. */
export function formatInteger(value: number | bigint, format: string | null | undefined, bits = 32): string {
  const v = BigInt(value);
  const [fmt, precision] = parseSpecifier(format);
  const up = fmt.toUpperCase();
  if (up === 'G' && precision < 1) return v.toString();
  if (up === 'D') {
    checkSize(precision);
    const s = (v < 0n ? -v : v).toString().padStart(precision, '0');
    return v < 0n ? '-' + s : s;
  }
  if (up === 'X') {
    checkSize(precision);
    const u = v < 0n ? BigInt.asUintN(bits, v) : v;
    const s = u.toString(16).padStart(precision, '0');
    return fmt === 'X' ? s.toUpperCase() : s;
  }
  if (up === 'R') throw badFormatSpecifier();
  const n = fromBigInt(v);
  if (fmt === '\0') return custom(n, format!);
  return standard(n, fmt, precision, false);
}

/** Double (and Single, with 7/9 digits: not modelled; floats are doubles here). */
export function formatDouble(x: number, format?: string | null): string {
  const [fmt, precision] = parseSpecifier(format);
  if (Number.isNaN(x)) return INV.nan;
  if (!Number.isFinite(x)) return x > 0 ? INV.posInf : INV.negInf;
  const up = fmt.toUpperCase();
  if (fmt === '\0') {
    // Custom formats see the value through 15 significant digits (DoublePrecisionCustomFormat).
    return custom(round(exact(x), 15, true), format!);
  }
  if (up === 'R' || (up === 'G' && precision <= 0)) {
    return standard(shortest(x, 'float'), fmt === 'r' ? 'g' : fmt === 'R' ? 'G' : fmt, -1, true);
  }
  if (up === 'D' || up === 'X') throw badFormatSpecifier();
  return standard(exact(x), fmt, precision, true);
}

/** Decimal, held as a JS number: its shortest digits are taken as the decimal value. */
export function formatDecimal(x: number, format?: string | null): string {
  const [fmt, precision] = parseSpecifier(format);
  const n = shortest(x, 'decimal');
  if (!n.digits) n.neg = false;
  if (fmt === '\0') return custom(n, format!);
  const up = fmt.toUpperCase();
  if (up === 'D' || up === 'X' || up === 'R') throw badFormatSpecifier();
  return standard(n, fmt, precision, false);
}
