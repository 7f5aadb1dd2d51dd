// .NET composite formatting ({0}, {1,-5}, {2:N0}) with the invariant culture, as format() uses it.
import { ExpressionError } from '../errors.js';
import { compactJson, isObject, scalarText, type JsonValue } from '../values.js';

const bad = (why: string) => new ExpressionError(`Unable to evaluate template language function 'format': ${why} Please see https://aka.ms/arm-functions for usage details.`);

export function composite(format: string, args: readonly JsonValue[]): string {
  let out = '';
  let i = 0;
  while (i < format.length) {
    const c = format[i]!;
    if (c === '{') {
      if (format[i + 1] === '{') { out += '{'; i += 2; continue; }
      const end = format.indexOf('}', i);
      if (end < 0) throw bad('Input string was not in a correct format.');
      const m = /^\s*(\d+)\s*(?:,\s*(-?\d+)\s*)?(?::(.*))?$/s.exec(format.slice(i + 1, end));
      if (!m) throw bad('Input string was not in a correct format.');
      const index = Number(m[1]);
      if (index >= args.length) throw bad('Index (zero based) must be greater than or equal to zero and less than the size of the argument list.');
      let text = formatOne(args[index]!, m[3]);
      const width = m[2] ? Number(m[2]) : 0;
      if (Math.abs(width) > text.length) text = width > 0 ? text.padStart(width) : text.padEnd(-width);
      out += text;
      i = end + 1;
      continue;
    }
    if (c === '}') {
      if (format[i + 1] === '}') { out += '}'; i += 2; continue; }
      throw bad('Input string was not in a correct format.');
    }
    out += c;
    i++;
  }
  return out;
}

function formatOne(v: JsonValue, spec: string | undefined): string {
  // Objects and arrays print as compact JSON with single quotes (ARM's TransformJTokenForOutput).
  if (Array.isArray(v) || isObject(v)) return compactJson(v).replace(/"/g, "'");
  if (typeof v === 'number' && spec) return formatNumber(v, spec);
  return scalarText(v);
}

function group(intDigits: string): string {
  return intDigits.replace(/\B(?=(\d{3})+(?!\d))/g, ',');
}

function formatNumber(n: number, spec: string): string {
  const m = /^([A-Za-z])(\d{0,2})$/.exec(spec);
  if (!m) return customNumber(n, spec);
  const kind = m[1]!;
  const p = m[2] === '' ? undefined : Number(m[2]);
  const neg = n < 0;
  const abs = Math.abs(n);
  const sign = (s: string) => (neg ? `-${s}` : s);
  switch (kind) {
    case 'N': case 'n': {
      const [ip, fp] = abs.toFixed(p ?? 2).split('.');
      return sign(fp ? `${group(ip!)}.${fp}` : group(ip!));
    }
    case 'D': case 'd':
      if (!Number.isInteger(n)) throw bad('Format specifier was invalid.');
      return sign(String(abs).padStart(p ?? 0, '0'));
    case 'F': case 'f': return sign(abs.toFixed(p ?? 2));
    case 'X': case 'x': {
      if (!Number.isInteger(n)) throw bad('Format specifier was invalid.');
      const hex = (neg ? BigInt.asUintN(64, BigInt(n)) : BigInt(n)).toString(16).padStart(p ?? 0, '0');
      return kind === 'X' ? hex.toUpperCase() : hex;
    }
    case 'P': case 'p': {
      const [ip, fp] = (abs * 100).toFixed(p ?? 2).split('.');
      return sign(`${fp ? `${group(ip!)}.${fp}` : group(ip!)} %`);
    }
    case 'C': case 'c': {
      const [ip, fp] = abs.toFixed(p ?? 2).split('.');
      const s = `¤${fp ? `${group(ip!)}.${fp}` : group(ip!)}`;
      return neg ? `(${s})` : s;
    }
    case 'E': case 'e': {
      const [mant, exp] = abs.toExponential(p ?? 6).split('e');
      const e = Number(exp);
      return sign(`${mant}${kind}${e < 0 ? '-' : '+'}${String(Math.abs(e)).padStart(3, '0')}`);
    }
    case 'G': case 'g': return String(n);
    default: throw bad('Format specifier was invalid.');
  }
}

/** Custom numeric formats: the common zero-padding and grouping forms ("000", "#,##0", "0.00"). */
function customNumber(n: number, spec: string): string {
  if (!/^[#0,.]+$/.test(spec)) return spec;
  const [intPart, fracPart = ''] = spec.split('.');
  const decimals = fracPart.length;
  const minInt = (intPart!.match(/0/g) ?? []).length;
  const [ip, fp] = Math.abs(n).toFixed(decimals).split('.');
  let digits = ip!.padStart(minInt, '0');
  if (minInt === 0 && digits === '0') digits = '';
  if (intPart!.includes(',')) digits = group(digits);
  const s = fp ? `${digits}.${fp}` : digits;
  return n < 0 ? `-${s}` : s;
}
