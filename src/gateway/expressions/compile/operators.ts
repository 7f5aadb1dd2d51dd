// C#'s built-in operators on numbers: binary numeric promotion picks the operation's type, and each type
// computes as .NET does (int wraps at 32 bits and truncates on division; long at 64 bits, as bigint;
// double is IEEE; integer division by zero throws DivideByZeroException).
import { T, type TypeRef } from '../surface/types.js';
import { divideByZero, overflow } from '../dotnet/exceptions.js';
import { isNumeric } from './relations.js';

type Op2 = (a: unknown, b: unknown) => unknown;

/** The type both operands convert to (C# §12.4.7.3), or undefined when C# has no such operator. */
export function promote(a: TypeRef, b: TypeRef): TypeRef | undefined {
  if (!isNumeric(a) || !isNumeric(b)) return undefined;
  const has = (n: string) => a.name === n || b.name === n;
  if (has('Decimal')) return has('Double') || has('Single') ? undefined : T.decimal;
  if (has('Double')) return T.double;
  if (has('Single')) return T.float;
  if (has('UInt64')) return has('SByte') || has('Int16') || has('Int32') || has('Int64') ? undefined : { name: 'UInt64', args: [] };
  if (has('Int64')) return T.long;
  if (has('UInt32')) return has('SByte') || has('Int16') || has('Int32') ? T.long : { name: 'UInt32', args: [] };
  return T.int;
}

/** A unary operand's promoted type (`-b` of a byte is an int). */
export function promoteUnary(a: TypeRef): TypeRef | undefined {
  if (!isNumeric(a)) return undefined;
  if (['SByte', 'Byte', 'Int16', 'UInt16', 'Char'].includes(a.name)) return T.int;
  return a;
}

const INT_MIN = -2147483648;

/** Arithmetic of + - * / % in the promoted type. */
export function arithmetic(op: string, type: TypeRef): Op2 | undefined {
  switch (type.name) {
    case 'Int32':
      switch (op) {
        case '+': return (a, b) => ((a as number) + (b as number)) | 0;
        case '-': return (a, b) => ((a as number) - (b as number)) | 0;
        case '*': return (a, b) => Math.imul(a as number, b as number);
        case '/': return (a, b) => {
          if (b === 0) throw divideByZero();
          if (a === INT_MIN && b === -1) throw overflow();
          return ((a as number) / (b as number)) | 0;
        };
        case '%': return (a, b) => { if (b === 0) throw divideByZero(); return b === -1 ? 0 : ((a as number) % (b as number)) | 0; };
        default: return undefined;
      }
    case 'UInt32':
      switch (op) {
        case '+': return (a, b) => ((a as number) + (b as number)) >>> 0;
        case '-': return (a, b) => ((a as number) - (b as number)) >>> 0;
        case '*': return (a, b) => Math.imul(a as number, b as number) >>> 0;
        case '/': return (a, b) => { if (b === 0) throw divideByZero(); return Math.trunc((a as number) / (b as number)) >>> 0; };
        case '%': return (a, b) => { if (b === 0) throw divideByZero(); return (a as number) % (b as number); };
        default: return undefined;
      }
    case 'Int64': case 'UInt64': {
      const wrap = type.name === 'Int64' ? (v: bigint) => BigInt.asIntN(64, v) : (v: bigint) => BigInt.asUintN(64, v);
      switch (op) {
        case '+': return (a, b) => wrap((a as bigint) + (b as bigint));
        case '-': return (a, b) => wrap((a as bigint) - (b as bigint));
        case '*': return (a, b) => wrap((a as bigint) * (b as bigint));
        case '/': return (a, b) => { if (b === 0n) throw divideByZero(); return wrap((a as bigint) / (b as bigint)); };
        case '%': return (a, b) => { if (b === 0n) throw divideByZero(); return (a as bigint) % (b as bigint); };
        default: return undefined;
      }
    }
    case 'Double': case 'Single': {
      const f = type.name === 'Single' ? Math.fround : (v: number) => v;
      switch (op) {
        case '+': return (a, b) => f((a as number) + (b as number));
        case '-': return (a, b) => f((a as number) - (b as number));
        case '*': return (a, b) => f((a as number) * (b as number));
        case '/': return (a, b) => f((a as number) / (b as number));
        case '%': return (a, b) => f((a as number) % (b as number));
        default: return undefined;
      }
    }
    case 'Decimal':
      // Represented as a double: arithmetic is close to decimal's for the values policies use; division
      // by zero throws as decimal's does.
      switch (op) {
        case '+': return (a, b) => (a as number) + (b as number);
        case '-': return (a, b) => (a as number) - (b as number);
        case '*': return (a, b) => (a as number) * (b as number);
        case '/': return (a, b) => { if (b === 0) throw divideByZero(); return (a as number) / (b as number); };
        case '%': return (a, b) => { if (b === 0) throw divideByZero(); return (a as number) % (b as number); };
        default: return undefined;
      }
    default: return undefined;
  }
}

/** & | ^ << >> on integral types (and & | ^ on bool). */
export function bitwise(op: string, type: TypeRef): Op2 | undefined {
  if (type.name === 'Boolean') {
    switch (op) {
      case '&': return (a, b) => (a as boolean) && (b as boolean);
      case '|': return (a, b) => (a as boolean) || (b as boolean);
      case '^': return (a, b) => a !== b;
      default: return undefined;
    }
  }
  if (type.name === 'Int32' || type.name === 'UInt32') {
    const w = type.name === 'Int32' ? (v: number) => v | 0 : (v: number) => v >>> 0;
    switch (op) {
      case '&': return (a, b) => w((a as number) & (b as number));
      case '|': return (a, b) => w((a as number) | (b as number));
      case '^': return (a, b) => w((a as number) ^ (b as number));
      case '<<': return (a, b) => w((a as number) << (b as number));
      case '>>': return type.name === 'Int32' ? (a, b) => (a as number) >> (b as number) : (a, b) => (a as number) >>> (b as number);
      default: return undefined;
    }
  }
  if (type.name === 'Int64' || type.name === 'UInt64') {
    const w = type.name === 'Int64' ? (v: bigint) => BigInt.asIntN(64, v) : (v: bigint) => BigInt.asUintN(64, v);
    switch (op) {
      case '&': return (a, b) => w((a as bigint) & (b as bigint));
      case '|': return (a, b) => w((a as bigint) | (b as bigint));
      case '^': return (a, b) => w((a as bigint) ^ (b as bigint));
      case '<<': return (a, b) => w((a as bigint) << BigInt((b as number) & 63));
      case '>>': return (a, b) => w((a as bigint) >> BigInt((b as number) & 63));
      default: return undefined;
    }
  }
  return undefined;
}

/** < > <= >= on numbers (bigint and number compare directly; chars are promoted before). */
export function comparison(op: string): Op2 | undefined {
  switch (op) {
    case '<': return (a, b) => (a as number) < (b as number);
    case '>': return (a, b) => (a as number) > (b as number);
    case '<=': return (a, b) => (a as number) <= (b as number);
    case '>=': return (a, b) => (a as number) >= (b as number);
    default: return undefined;
  }
}
