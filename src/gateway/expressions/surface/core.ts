// The root of every type (Object) and the exceptions an expression may throw and catch.
import type { TypeSpec } from './define.js';
import { DotNetException } from '../dotnet/exceptions.js';
import { formatValue } from '../dotnet/composite.js';

/** .NET exception types by full name, with the base each derives from (for `catch (ArgumentException)`). */
const EXCEPTIONS: [string, string, string][] = [
  ['Exception', 'System', ''],
  ['SystemException', 'System', 'Exception'],
  ['ArgumentException', 'System', 'SystemException'],
  ['ArgumentNullException', 'System', 'ArgumentException'],
  ['ArgumentOutOfRangeException', 'System', 'ArgumentException'],
  ['InvalidOperationException', 'System', 'SystemException'],
  ['FormatException', 'System', 'SystemException'],
  ['InvalidCastException', 'System', 'SystemException'],
  ['NullReferenceException', 'System', 'SystemException'],
  ['IndexOutOfRangeException', 'System', 'SystemException'],
  ['KeyNotFoundException', 'System.Collections.Generic', 'SystemException'],
  ['NotSupportedException', 'System', 'SystemException'],
  ['NotImplementedException', 'System', 'SystemException'],
  ['ArithmeticException', 'System', 'SystemException'],
  ['OverflowException', 'System', 'ArithmeticException'],
  ['DivideByZeroException', 'System', 'ArithmeticException'],
  ['UriFormatException', 'System', 'FormatException'],
  ['XmlException', 'System.Xml', 'SystemException'],
];

const fullNames = new Map(EXCEPTIONS.map(([n, ns]) => [n, `${ns}.${n}`]));

/** Whether an exception of type `thrown` (full name) is caught by `catch (caught)` (full name). */
export function exceptionIs(thrown: string, caught: string): boolean {
  for (let t: string | undefined = thrown; t; ) {
    if (t === caught) return true;
    const simple: string = t.slice(t.lastIndexOf('.') + 1);
    const base: string | undefined = EXCEPTIONS.find(([n]) => n === simple)?.[2];
    t = base ? fullNames.get(base) : undefined;
  }
  return caught === 'System.Exception';
}

export const coreTypes: TypeSpec[] = [
  {
    name: 'Object', namespace: 'System',
    is: (v) => v !== null,
    ctors: { '()': () => ({ toString: () => 'System.Object' }) },
    instance: {
      'ToString(): string': (v: unknown) => formatValue(v),
      'Equals(object obj): bool': (v: unknown, o: unknown) => v === o || (typeof (v as { equals?: unknown }).equals === 'function' && (v as { equals(o: unknown): boolean }).equals(o)),
      'GetHashCode(): int': (v: unknown) => { let h = 0; for (const c of formatValue(v)) h = (Math.imul(h, 31) + c.charCodeAt(0)) | 0; return h; },
    },
  },
  ...EXCEPTIONS.map(([name, namespace, base]): TypeSpec => ({
    name, namespace, base: base || undefined,
    is: (v) => v instanceof DotNetException && exceptionIs(v.type, `${namespace}.${name}`),
    ctors: {
      '()': () => new DotNetException(`${namespace}.${name}`, `Exception of type '${namespace}.${name}' was thrown.`),
      '(string message)': (m: string | null) => new DotNetException(`${namespace}.${name}`, m ?? `Exception of type '${namespace}.${name}' was thrown.`),
    },
    instance: name === 'Exception' ? {
      'Message: string': (e: DotNetException) => e.message,
      'ToString(): string': (e: DotNetException) => `${e.type}: ${e.message}`,
    } : {},
  })),
];
