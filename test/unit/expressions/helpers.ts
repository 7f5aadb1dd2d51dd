// Calls a declared surface member the way the compiler will: by type, name and parameter types, with
// out parameters as { value } boxes. Rows of the tables below keep the C# they stand for.
import assert from 'node:assert/strict';
import { Surface } from '../../../src/gateway/expressions/surface/index.js';
import type { Impl, MethodDef, PropertyDef, Ref } from '../../../src/gateway/expressions/surface/define.js';
import { typeText } from '../../../src/gateway/expressions/surface/types.js';
import { DotNetException } from '../../../src/gateway/expressions/dotnet/exceptions.js';

export const surface = Surface.of();

function find(type: string, name: string, params: string[] | undefined, isStatic: boolean): MethodDef | PropertyDef {
  const def = surface.type(type);
  assert.ok(def, `type ${type} declared`);
  const list = (isStatic ? def.statics : def.instance).get(name) ?? [];
  const m = list.find((x) => params === undefined ? true : x.kind === 'method' && x.params.map((p) => typeText(p.type)).join(',') === params.join(','));
  assert.ok(m, `${type}.${name}(${params?.join(',') ?? ''}) declared`);
  return m;
}

/** A static method: S('Int32', 'Parse', ['string'])('12'). */
export const S = (type: string, name: string, params?: string[]) => (...args: unknown[]): unknown => {
  const m = find(type, name, params, true);
  return m.kind === 'method' ? (m.impl as (...a: unknown[]) => unknown)(...args) : (m.get as (...a: unknown[]) => unknown)();
};

/** An instance method or property: I('String', 'Substring', ['int'])('hello', 1). */
export const I = (type: string, name: string, params?: string[]) => (self: unknown, ...args: unknown[]): unknown => {
  const m = find(type, name, params, false);
  return m.kind === 'method' ? (m.impl as (...a: unknown[]) => unknown)(self, ...args) : (m.get as (...a: unknown[]) => unknown)(self);
};

export function ctor(type: string, params: string[], ...args: unknown[]): unknown {
  const def = surface.type(type);
  assert.ok(def);
  const c = def.ctors.find((x) => x.params.map((p) => typeText(p.type)).join(',') === params.join(','));
  assert.ok(c, `new ${type}(${params.join(',')}) declared`);
  return (c.impl as Impl as (...a: unknown[]) => unknown)(...args);
}

/** Calls a Try method; returns [returned bool, the out value]. */
export function tryOut(f: (...a: unknown[]) => unknown, ...args: unknown[]): [unknown, unknown] {
  const box: Ref<unknown> = { value: undefined };
  const r = f(...args, box);
  return [r, box.value];
}

export function throwsDotNet(fn: () => unknown, type: string, message?: string): void {
  assert.throws(fn, (e: unknown) => {
    assert.ok(e instanceof DotNetException, `a DotNetException, got ${String(e)}`);
    assert.equal(e.type, type);
    if (message !== undefined) assert.equal(e.message, message);
    return true;
  });
}

export interface Row { cs: string; actual: () => unknown; expected: unknown }

/** Runs a table: each row's C# text names the failing case. */
export function table(rows: Row[]): void {
  for (const r of rows) assert.deepEqual(r.actual(), r.expected, r.cs);
}
