// System.Math as .NET computes it: Round defaults to banker's rounding (MidpointRounding.ToEven); Round
// with digits multiplies by a power of ten in double arithmetic first, as .NET does (Math.Round(2.675, 2)
// is 2.68: 2.675 × 100 is exactly 267.5); decimal rounding works on the decimal digits.
import { argumentError, argumentOutOfRange, DotNetException, overflow } from './exceptions.js';

export const MidpointRounding = { ToEven: 0, AwayFromZero: 1, ToZero: 2, ToNegativeInfinity: 3, ToPositiveInfinity: 4 } as const;

function checkMode(mode: number): void {
  if (!Number.isInteger(mode) || mode < 0 || mode > 4) {
    throw argumentError(`The value '${mode}' is not valid for this usage of the type MidpointRounding.`, 'mode');
  }
}

/** Rounds to an integer under a MidpointRounding mode (ties only matter for ToEven/AwayFromZero). */
function roundInt(x: number, mode: number): number {
  if (!Number.isFinite(x)) return x;
  switch (mode) {
    case MidpointRounding.ToEven: {
      const t = Math.trunc(x);
      const frac = Math.abs(x - t);
      if (frac === 0.5) return t % 2 === 0 ? t : t + Math.sign(x);
      return frac > 0.5 ? t + Math.sign(x) : t;
    }
    case MidpointRounding.AwayFromZero: {
      const t = Math.trunc(x);
      return Math.abs(x - t) >= 0.5 ? t + Math.sign(x) : t;
    }
    case MidpointRounding.ToZero: return Math.trunc(x);
    case MidpointRounding.ToNegativeInfinity: return Math.floor(x);
    default: return Math.ceil(x);
  }
}

/** Math.Round(double value, int digits, MidpointRounding mode). */
export function roundDouble(x: number, digits = 0, mode: number = MidpointRounding.ToEven): number {
  if (!Number.isInteger(digits) || digits < 0 || digits > 15) throw argumentOutOfRange('digits', 'Rounding digits must be between 0 and 15, inclusive.');
  checkMode(mode);
  if (digits === 0) return roundInt(x, mode);
  if (Math.abs(x) >= 1e16) return x;
  const p = 10 ** digits;
  return roundInt(x * p, mode) / p;
}

/** Math.Round(decimal d, int decimals, MidpointRounding mode) on the decimal's digits. */
export function roundDecimal(x: number, decimals = 0, mode: number = MidpointRounding.ToEven): number {
  if (!Number.isInteger(decimals) || decimals < 0 || decimals > 28) throw argumentOutOfRange('decimals', 'Decimal can only round to between 0 and 28 digits of precision.');
  checkMode(mode);
  if (x === 0 || !Number.isFinite(x)) return x;
  const neg = x < 0;
  const [mant, e] = Math.abs(x).toExponential().split('e');
  const digits = mant.replace('.', '');
  const scale = Number(e) + 1;                   // value = 0.digits × 10^scale
  const keep = scale + decimals;                 // digits left of the cut
  if (keep >= digits.length) return x;
  let kept = keep > 0 ? BigInt(digits.slice(0, keep)) : 0n;
  const dropped = keep >= 0 ? digits.slice(keep) : '0'.repeat(-keep) + digits;
  const first = dropped.charCodeAt(0) - 48;
  const rest = /[1-9]/.test(dropped.slice(1));
  const half = first === 5 && !rest;
  const above = first > 5 || (first === 5 && rest);
  let up: boolean;
  switch (mode) {
    case MidpointRounding.ToEven: up = above || (half && kept % 2n === 1n); break;
    case MidpointRounding.AwayFromZero: up = first >= 5; break;
    case MidpointRounding.ToZero: up = false; break;
    case MidpointRounding.ToNegativeInfinity: up = neg; break;
    default: up = !neg; break;
  }
  if (up) kept += 1n;
  const v = Number(`${kept}e${-decimals}`);
  return neg ? -v : v;
}

export function sign(x: number): number {
  if (Number.isNaN(x)) throw new DotNetException('System.ArithmeticException', 'Function does not accept floating point Not-a-Number values.');
  return x > 0 ? 1 : x < 0 ? -1 : 0;
}

export function absInt(x: number, min: number): number {
  if (x === min) throw overflow('Negating the minimum value of a twos complement number is invalid.');
  return Math.abs(x);
}

export function absLong(x: bigint): bigint {
  if (x === -(1n << 63n)) throw overflow('Negating the minimum value of a twos complement number is invalid.');
  return x < 0n ? -x : x;
}

export function log(a: number, newBase?: number): number {
  if (newBase === undefined) return Math.log(a);
  if (Number.isNaN(a) || Number.isNaN(newBase) || newBase === 1) return NaN;
  if (a !== 1 && (newBase === 0 || newBase === Infinity)) return NaN;
  return Math.log(a) / Math.log(newBase);
}

export function clamp<N extends number | bigint>(value: N, min: N, max: N): N {
  if (min > max) throw argumentError(`'${min}' cannot be greater than ${max}.`);
  return value < min ? min : value > max ? max : value;
}

/** Math.IEEERemainder(x, y): x - y × round-to-even(x / y). */
export function ieeeRemainder(x: number, y: number): number {
  if (Number.isNaN(x) || Number.isNaN(y) || !Number.isFinite(x) || y === 0) return NaN;
  if (!Number.isFinite(y)) return x;
  const r = x - y * roundInt(x / y, MidpointRounding.ToEven);
  return r === 0 ? (x < 0 ? -0 : 0) : r;
}
