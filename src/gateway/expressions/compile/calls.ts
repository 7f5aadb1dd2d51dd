// Calls: binding arguments, choosing an overload (C#'s rules, simplified: arity, named and `params`
// arguments, type inference including lambdas, conversion costs), and the closure that makes the call.
import type { Node } from '../syntax.js';
import type { MethodDef } from '../surface/define.js';
import { T, hasParams, sameType, substitute, typeText, type TypeRef } from '../surface/types.js';
import { nullReference } from '../dotnet/exceptions.js';
import { formatValue } from '../dotnet/composite.js';
import type { Env } from '../runtime.js';
import type { Scope, Emit } from './scope.js';
import { delegateSig, underlying } from './relations.js';
import { constantOf, type Bound, type MethodGroup, type Resolved, type TypeName } from './bound.js';
import { ExpressionError } from '../syntax.js';
import type { Compiler } from './compiler.js';
import { fuseCall } from './fast-paths.js';

export class CallCompiler {
  constructor(private readonly x: Compiler) {}


  invocation(node: Node, scope: Scope): Resolved {
    const fn = node.childForFieldName('function')!;
    const argNodes = (node.childForFieldName('arguments')?.namedChildren ?? []).filter((a): a is Node => !!a && a.type === 'argument');
    if (fn.type === 'identifier' && fn.text === 'nameof' && !scope.lookup('nameof')) {
      const arg = argNodes[0]?.namedChildren[argNodes[0].namedChildren.length - 1];
      if (!arg || argNodes.length !== 1) return this.x.fail(node, 'nameof takes one argument.');
      const text = arg.text;
      return constantOf(text.slice(text.lastIndexOf('.') + 1), T.string);
    }
    const callee = this.x.bind(fn, scope);
    if (callee.kind === 'methods') return this.callMethodGroup(callee, argNodes, node, scope);
    if (callee.kind === 'value') {
      const sig = delegateSig(callee.type);
      if (!sig) return this.x.fail(fn, `'${fn.text}' is not a method or delegate.`);
      const args = this.bindArgs(argNodes, scope);
      if (args.length !== sig.params.length) return this.x.fail(node, `Delegate '${typeText(callee.type)}' does not take ${args.length} arguments.`);
      const emits = args.map((a, i) => this.x.convert(this.x.asValue(a.r, a.node, scope, sig.params[i]), sig.params[i], a.node).emit);
      const f = callee.emit;
      return { kind: 'value', type: sig.ret, emit: (env) => { const g = f(env) as ((...a: unknown[]) => unknown) | null; if (g === null) throw nullReference(); return g(...emits.map((e) => e(env))); } };
    }
    return this.x.fail(fn, `'${fn.text}' is not a method.`);
  }

  bindArgs(argNodes: Node[], scope: Scope): BoundArg[] {
    return argNodes.map((a) => {
      const nameNode = a.childForFieldName('name');
      const modifier = a.children.find((c) => c && (c.type === 'out' || c.type === 'ref' || c.type === 'in'))?.type;
      const exprNode = a.namedChildren[a.namedChildren.length - 1]!;
      if (modifier === 'out' && exprNode.type === 'declaration_expression') {
        return { node: a, name: nameNode?.text, r: { kind: 'value', type: T.void, emit: () => null } as Bound, out: exprNode };
      }
      return { node: a, name: nameNode?.text, r: this.x.bind(exprNode, scope), byRef: modifier === 'out' || modifier === 'ref' };
    });
  }

  callMethodGroup(group: MethodGroup, argNodes: Node[], node: Node, scope: Scope): Bound {
    const args = this.bindArgs(argNodes, scope);
    const receiver = group.receiver;
    const statics = receiver.kind === 'type';
    const recvType = statics ? receiver.type : underlying(receiver.type);
    let candidates: Candidate[] = this.x.rel.members(recvType, group.name, statics)
      .filter((f) => f.member.kind === 'method')
      .map((f) => ({ method: f.member as MethodDef, bindings: f.bindings, extension: false }));
    let chosen = this.resolve(candidates, args, group.typeArgs, scope, undefined);
    if (!chosen && !statics) {
      // Extension methods: the receiver is the first argument.
      const recv = receiver as Bound;
      candidates = this.x.surface.extensionMethods(group.name).map((m) => ({ method: m, bindings: new Map(), extension: true }));
      chosen = this.resolve(candidates, args, group.typeArgs, scope, recv);
    }
    if (!chosen && !statics && group.name === 'ToString' && args.length === 0) {
      return this.x.receiverCall(receiver as Bound, T.string, (v) => formatValue(v));
    }
    if (!chosen) {
      const any = candidates.length > 0 || this.x.rel.members(recvType, group.name, statics).length > 0;
      return this.x.fail(node, any
        ? `No overload for method '${group.name}' of '${typeText(recvType)}' takes these ${args.length} argument(s) (${args.map((a) => a.r.kind === 'value' ? typeText(a.r.type) : a.r.kind).join(', ')}).`
        : `'${group.name}' is not a member of '${typeText(recvType)}'.`);
    }
    return this.emitCall(chosen, receiver, scope);
  }

  resolve(candidates: Candidate[], args: BoundArg[], typeArgs: TypeRef[] | undefined, scope: Scope, extensionReceiver: Bound | undefined): Resolution | undefined {
    let best: Resolution | undefined;
    for (const c of candidates) {
      // C#: a `params` method applies in its normal form (an array passed as is) or, failing that, expanded.
      const r = this.tryCandidate(c, args, typeArgs, scope, extensionReceiver, false)
        ?? this.tryCandidate(c, args, typeArgs, scope, extensionReceiver, true);
      if (r && (!best || r.cost < best.cost)) best = r;
    }
    return best;
  }

  tryCandidate(c: Candidate, args: BoundArg[], typeArgs: TypeRef[] | undefined, scope: Scope, recv: Bound | undefined, forceExpanded: boolean): Resolution | undefined {
    const m = c.method;
    const params = recv ? m.params.slice(1) : m.params;
    if (typeArgs && typeArgs.length !== m.typeParams.length) return undefined;
    if (forceExpanded && !params[params.length - 1]?.isParams) return undefined;
    const bindings = new Map(c.bindings);
    if (typeArgs) m.typeParams.forEach((p, i) => bindings.set(p, typeArgs[i]));
    // Which argument goes to which parameter.
    const slots: (BoundArg | undefined)[] = new Array(params.length).fill(undefined);
    const rest: BoundArg[] = [];
    let positional = true;
    for (const [i, a] of args.entries()) {
      if (a.name) {
        positional = false;
        const k = params.findIndex((p) => p.name === a.name);
        if (k < 0 || slots[k]) return undefined;
        slots[k] = a;
      } else {
        if (!positional) return undefined;
        const last = params.length - 1;
        if (i >= last && params[last]?.isParams && (forceExpanded || args.length !== params.length || i > last)) rest.push(a);
        else if (i < params.length) slots[i] = a;
        else return undefined;
      }
    }
    const expanded = rest.length > 0 || (params.length > 0 && params[params.length - 1].isParams && args.length === params.length - 1);
    for (const [k, p] of params.entries()) if (!slots[k] && !p.optional && !(p.isParams && expanded)) return undefined;
    if (rest.length && slots[params.length - 1]) return undefined;
    const paramType = (k: number): TypeRef => {
      const p = params[k];
      return expanded && p.isParams ? p.type.args[0] : p.type;
    };
    // Type inference: plain arguments first, then lambdas whose parameter types are known.
    if (recv) this.unify(m.params[0].type, recv.type, bindings);
    const pairs: [BoundArg, number][] = [...slots.map((a, k) => [a, k] as [BoundArg | undefined, number]).filter((x): x is [BoundArg, number] => !!x[0]),
      ...rest.map((a) => [a, params.length - 1] as [BoundArg, number])];
    for (const [a, k] of pairs) if (a.r.kind === 'value' && !a.out) this.unify(paramType(k), a.r.type, bindings);
    const lambdas = new Map<BoundArg, Bound>();
    for (let round = 0; round < 4; round++) {
      for (const [a, k] of pairs) {
        if (a.r.kind !== 'lambda' || lambdas.has(a)) continue;
        const target = substitute(paramType(k), bindings);
        const sig = delegateSig(target);
        if (!sig || sig.params.some(hasParams)) continue;
        const want = hasParams(sig.ret) || sig.ret.name === 'Void' ? undefined : sig.ret;
        let l: { emit: Emit; ret: TypeRef };
        try { l = this.x.lambda(a.r.node, scope, sig.params, want); } catch (e) { if (e instanceof ExpressionError) return undefined; throw e; }
        if (hasParams(sig.ret)) this.unify(sig.ret, l.ret, bindings);
        lambdas.set(a, { kind: 'value', type: substitute(target, bindings), emit: l.emit });
      }
    }
    if (m.typeParams.some((p) => !bindings.has(p))) return undefined;
    // Conversions and their cost.
    let cost = expanded ? 0.5 : 0;
    const emits: Emit[] = [];
    // Each parameter's value when it is known at compile time (fast-paths.ts folds calls on them).
    const constants: ({ value: unknown } | undefined)[] = [];
    const outs: { k: number; node: Node; type: TypeRef }[] = [];
    for (const [k, p] of params.entries()) {
      const want = substitute(p.type, bindings);
      if (expanded && p.isParams) {
        const elem = want.args[0];
        const items: Emit[] = [];
        for (const a of rest) {
          const b = a.r.kind === 'lambda' ? lambdas.get(a) : a.r.kind === 'value' ? a.r : undefined;
          const conv = b && this.x.rel.implicit(b.type, elem, b.constant?.value);
          if (!b || !conv) return undefined;
          cost += conv.cost;
          items.push(this.x.applyConversion(b, elem, conv).emit);
        }
        emits.push((env) => items.map((e) => e(env)));
        constants.push(undefined);
        continue;
      }
      const a = slots[k];
      if (!a) { const d = p.defaultValue ?? null; emits.push(() => d); constants.push({ value: d }); continue; }
      if (a.out) {
        // `out var x` / `out T x`: declared when the call is chosen; the implementation writes a box.
        outs.push({ k, node: a.out, type: want });
        emits.push(() => null);
        constants.push(undefined);
        continue;
      }
      const b = a.r.kind === 'lambda' ? lambdas.get(a) : a.r.kind === 'value' ? a.r : undefined;
      if (!b) return undefined;
      if (a.byRef) {
        if (!b.assign || !sameType(b.type, want)) return undefined;
        outs.push({ k, node: a.node, type: want });
        emits.push(b.emit);
        constants.push(undefined);
        continue;
      }
      const conv = this.x.rel.implicit(b.type, want, b.constant?.value);
      if (!conv) return undefined;
      cost += conv.cost;
      const converted = this.x.applyConversion(b, want, conv);
      emits.push(converted.emit);
      constants.push(converted.constant);
    }
    return { method: m, bindings, emits, constants, cost, outs, args, recv, typeArgs: m.typeParams.map((p) => bindings.get(p)!) };
  }

  /** Binds type parameters in `param` from the argument type `arg` (C#'s type inference, simplified). */
  unify(param: TypeRef, arg: TypeRef, bindings: Map<string, TypeRef>): void {
    if (param.param) {
      if (!bindings.has(param.name) && arg.name !== '<null>' && arg.name !== 'Void') bindings.set(param.name, arg);
      return;
    }
    if (!hasParams(param) || arg.name === '<null>') return;
    if (param.name === '?' && arg.name !== '?') { this.unify(param.args[0], arg, bindings); return; }
    const same = param.name === arg.name ? arg : this.x.rel.asType(arg, param.name);
    if (same && same.args.length === param.args.length) param.args.forEach((p, i) => this.unify(p, same.args[i], bindings));
  }

  emitCall(r: Resolution, receiver: Bound | TypeName, scope: Scope): Bound {
    const fused = receiver.kind === 'value' && !r.recv && r.outs.length === 0 ? fuseCall(r.method, receiver, r.constants) : undefined;
    if (fused) return fused;
    const m = r.method;
    const ret = substitute(m.ret, r.bindings);
    const impl = m.impl as unknown as (...a: unknown[]) => unknown;
    const emits = r.emits;
    const generic = m.typeParams.length > 0;
    const typeArgs = r.typeArgs;
    // out/ref arguments: a box per argument, written back to the variable after the call.
    const writes: ((env: Env, box: { value: unknown }) => void)[] = [];
    const outSlots = new Set<number>();
    for (const o of r.outs) {
      outSlots.add(o.k);
      let assign: ((v: Emit) => Emit) | undefined;
      if (o.node.type === 'declaration_expression') {
        const typeNode = o.node.childForFieldName('type')!;
        const declared = typeNode.type === 'implicit_type' ? o.type : this.x.typeOf(typeNode);
        const nameNode = o.node.childForFieldName('name')!;
        const local = scope.declare(nameNode.text, declared);
        if (!local) this.x.fail(nameNode, `A local variable named '${nameNode.text}' is already defined in this scope.`);
        assign = scope.access(local!).write;
      } else {
        const arg = r.args.find((a) => a.node.id === o.node.id)!;
        assign = (arg.r as Bound).assign;
      }
      const write = assign!;
      writes.push((env, box) => { write(() => box.value)(env); });
    }
    // `call(env, self)`: self is the receiver (instance and extension methods) or NO_SELF (statics).
    const call: (env: Env, self: unknown) => unknown = writes.length === 0 ? directCall(impl, emits, generic ? typeArgs : undefined) : (env, self) => {
      const args: unknown[] = self === NO_SELF ? [] : [self];
      const boxes: { value: unknown }[] = [];
      for (let k = 0; k < emits.length; k++) {
        if (outSlots.has(k)) { const box = { value: emits[k](env) }; boxes.push(box); args.push(box); } else args.push(emits[k](env));
      }
      if (generic) args.push(typeArgs);
      const result = impl(...args);
      boxes.forEach((box, i) => writes[i](env, box));
      return result;
    };
    if (receiver.kind === 'type') return { kind: 'value', type: ret, emit: (env) => call(env, NO_SELF) };
    if (r.recv) {
      // An extension method: the receiver is the first argument, and may be null.
      const conv = this.x.rel.implicit(r.recv.type, substitute(m.params[0].type, r.bindings));
      const recv = conv ? this.x.applyConversion(r.recv, substitute(m.params[0].type, r.bindings), conv).emit : r.recv.emit;
      if (r.recv.conditional) return { kind: 'value', type: this.x.lift(ret), conditional: true, emit: (env) => { const s = recv(env); return s === null ? null : call(env, s); } };
      return { kind: 'value', type: ret, emit: (env) => call(env, recv(env)) };
    }
    const b = this.x.receiverCall(receiver, ret, () => undefined);
    const recv = receiver.emit;
    const conditional = receiver.conditional;
    b.emit = (env) => {
      const self = recv(env);
      if (self === null) { if (conditional) return null; throw nullReference(); }
      return call(env, self);
    };
    return b;
  }

}

/** The receiver of a static call (no `this`). */
const NO_SELF = Symbol('static');

/**
 * A call without out/ref arguments, specialised by arity so the hot path allocates no argument array.
 * `self`: the receiver, or NO_SELF for a static method.
 */
function directCall(impl: (...a: unknown[]) => unknown, emits: Emit[], typeArgs: TypeRef[] | undefined): (env: Env, self: unknown) => unknown {
  if (typeArgs === undefined) {
    switch (emits.length) {
      case 0: return (_env, self) => (self === NO_SELF ? impl() : impl(self));
      case 1: { const [a] = emits; return (env, self) => (self === NO_SELF ? impl(a(env)) : impl(self, a(env))); }
      case 2: { const [a, b] = emits; return (env, self) => (self === NO_SELF ? impl(a(env), b(env)) : impl(self, a(env), b(env))); }
      case 3: { const [a, b, c] = emits; return (env, self) => (self === NO_SELF ? impl(a(env), b(env), c(env)) : impl(self, a(env), b(env), c(env))); }
      default: break;
    }
  }
  return (env, self) => {
    const args: unknown[] = self === NO_SELF ? [] : [self];
    for (const e of emits) args.push(e(env));
    if (typeArgs !== undefined) args.push(typeArgs);
    return impl(...args);
  };
}

export interface BoundArg { node: Node; name?: string; r: Resolved; out?: Node; byRef?: boolean }
export interface Candidate { method: MethodDef; bindings: Map<string, TypeRef>; extension: boolean }
interface Resolution {
  method: MethodDef; bindings: Map<string, TypeRef>; emits: Emit[]; constants: ({ value: unknown } | undefined)[]; cost: number;
  outs: { k: number; node: Node; type: TypeRef }[]; args: BoundArg[]; recv: Bound | undefined; typeArgs: TypeRef[];
}

