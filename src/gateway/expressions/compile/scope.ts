// Names in scope while compiling: locals (with their static types and slots in an Env), one function per
// method body or lambda. A variable compiles to a read of its slot, `hops` Envs up from where it is used.
import type { TypeRef } from '../surface/types.js';
import type { Env } from '../runtime.js';

export type Emit = (env: Env) => unknown;

export class FunctionScope {
  slots = 0;
  constructor(readonly parent: FunctionScope | undefined) {}
}

export interface Local { readonly name: string; readonly type: TypeRef; readonly slot: number; readonly fn: FunctionScope }

export class Scope {
  private readonly vars = new Map<string, Local>();
  constructor(readonly fn: FunctionScope, readonly parent: Scope | undefined) {}

  child(): Scope { return new Scope(this.fn, this); }
  lambda(): Scope { return new Scope(new FunctionScope(this.fn), this); }

  lookup(name: string): Local | undefined {
    for (let s: Scope | undefined = this; s; s = s.parent) {
      const v = s.vars.get(name);
      if (v) return v;
    }
    return undefined;
  }

  /** Declares a local; undefined when the name is already used in an enclosing scope (C# CS0136). */
  declare(name: string, type: TypeRef): Local | undefined {
    if (this.lookup(name)) return undefined;
    const local: Local = { name, type, slot: this.fn.slots++, fn: this.fn };
    this.vars.set(name, local);
    return local;
  }

  /** Reads and writes of a local from this scope. */
  access(local: Local): { read: Emit; write: (value: Emit) => Emit } {
    let hops = 0;
    for (let f: FunctionScope | undefined = this.fn; f && f !== local.fn; f = f.parent) hops++;
    const slot = local.slot;
    if (hops === 0) return { read: (env) => env.locals[slot], write: (value) => (env) => (env.locals[slot] = value(env)) };
    if (hops === 1) return { read: (env) => env.up!.locals[slot], write: (value) => (env) => (env.up!.locals[slot] = value(env)) };
    const frame = (env: Env) => { let e = env; for (let k = 0; k < hops; k++) e = e.up!; return e; };
    return { read: (env) => frame(env).locals[slot], write: (value) => (env) => { const v = value(env); frame(env).locals[slot] = v; return v; } };
  }
}
