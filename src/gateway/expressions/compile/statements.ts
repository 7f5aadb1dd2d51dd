// Statements of `@{ ... }` blocks and lambda bodies, compiled to closures that return how control
// leaves them (normal, break, continue, return). Expressions inside them go to the Compiler.
import type { Node } from '../syntax.js';
import { T, t, typeText, type TypeRef } from '../surface/types.js';
import { DotNetException, nullReference } from '../dotnet/exceptions.js';
import { exceptionIs } from '../surface/core.js';
import { tick, type Env } from '../runtime.js';
import type { Scope, Emit } from './scope.js';
import { underlying } from './relations.js';
import type { Compiler } from './compiler.js';

/** Statement results: normal completion, or how control leaves. */
export const NORMAL = 0, BREAK = 1, CONTINUE = 2, RETURN = 3;
export type Signal = 0 | 1 | 2 | 3;
export type Exec = (env: Env) => Signal;
export interface FnContext { returns: TypeRef[]; expected: TypeRef | undefined; inLoop: boolean; inSwitch: boolean; caught?: { read: Emit } }

export class StatementCompiler {
  constructor(private readonly x: Compiler) {}

  /**
   * A local function: a local of delegate type (Func<...> or Action<...>) holding a closure. Declared now,
   * so the block's statements and the function itself can call it; compiled when the returned thunk runs
   * (after the declaration, so recursion resolves).
   */
  localFunction(node: Node, scope: Scope): () => Emit {
    const nameNode = node.childForFieldName('name')!;
    const ret = this.x.typeOf(node.childForFieldName('type')!);
    const params = (node.childForFieldName('parameters')?.namedChildren ?? []).filter((p): p is Node => !!p && p.type === 'parameter');
    const paramTypes = params.map((p) => {
      const ty = p.childForFieldName('type');
      return ty ? this.x.typeOf(ty) : this.x.fail(p, 'A local function parameter needs a type.');
    });
    const type = ret.name === 'Void' ? t('Action', ...paramTypes) : t('Func', ...paramTypes, ret);
    const local = scope.declare(nameNode.text, type);
    if (!local) return this.x.fail(nameNode, `A local variable or function named '${nameNode.text}' is already defined in this scope.`);
    const write = scope.access(local).write;
    return () => write(this.x.lambda(node, scope, paramTypes, ret.name === 'Void' ? undefined : ret).emit);
  }


  statement(node: Node, scope: Scope, fn: FnContext): Exec {
    switch (node.type) {
      case 'block': {
        const inner = scope.child();
        const children = node.namedChildren.filter((c): c is Node => !!c && c.type !== 'comment');
        // Local functions are in scope in the whole block (and may call themselves): declared and created first.
        const fns = children.filter((c) => c.type === 'local_function_statement').map((f) => this.localFunction(f, inner));
        const list = children.filter((c) => c.type !== 'local_function_statement').map((c) => this.statement(c, inner, fn));
        const define = fns.map((f) => f());
        return (env) => { for (const d of define) d(env); for (const s of list) { const r = s(env); if (r !== NORMAL) return r; } return NORMAL; };
      }
      case 'checked_statement': return this.statement(node.namedChildren.find((c) => c?.type === 'block')!, scope, fn);
      case 'empty_statement': case 'comment': return () => NORMAL;
      case 'local_declaration_statement': return this.declaration(node.namedChildren.find((c) => c?.type === 'variable_declaration')!, scope);
      case 'expression_statement': {
        const e = this.x.value(node.namedChildren[0]!, scope).emit;
        return (env) => { e(env); return NORMAL; };
      }
      case 'if_statement': {
        const cond = this.x.convert(this.x.value(node.childForFieldName('condition')!, scope), T.bool, node).emit;
        const then = this.statement(node.childForFieldName('consequence')!, scope.child(), fn);
        const altNode = node.childForFieldName('alternative');
        const alt = altNode ? this.statement(altNode, scope.child(), fn) : undefined;
        return alt ? (env) => (cond(env) ? then(env) : alt(env)) : (env) => (cond(env) ? then(env) : NORMAL);
      }
      case 'while_statement': {
        const cond = this.x.convert(this.x.value(node.childForFieldName('condition')!, scope), T.bool, node).emit;
        const body = this.statement(node.childForFieldName('body')!, scope.child(), { ...fn, inLoop: true });
        return (env) => {
          while (cond(env)) { tick(); const r = body(env); if (r === BREAK) break; if (r === RETURN) return r; }
          return NORMAL;
        };
      }
      case 'do_statement': {
        const cond = this.x.convert(this.x.value(node.childForFieldName('condition')!, scope), T.bool, node).emit;
        const body = this.statement(node.childForFieldName('body')!, scope.child(), { ...fn, inLoop: true });
        return (env) => {
          do { tick(); const r = body(env); if (r === BREAK) break; if (r === RETURN) return r; } while (cond(env));
          return NORMAL;
        };
      }
      case 'for_statement': return this.forStatement(node, scope, fn);
      case 'foreach_statement': return this.foreach(node, scope, fn);
      case 'switch_statement': return this.switchStatement(node, scope, fn);
      case 'break_statement':
        if (!fn.inLoop && !fn.inSwitch) return this.x.fail(node, 'No enclosing loop out of which to break or continue.');
        return () => BREAK;
      case 'continue_statement':
        if (!fn.inLoop) return this.x.fail(node, 'No enclosing loop out of which to break or continue.');
        return () => CONTINUE;
      case 'return_statement': {
        const exprNode = node.namedChildren[0];
        if (!exprNode) { fn.returns.push(T.void); return (env) => { env.ret = null; return RETURN; }; }
        let v = this.x.value(exprNode, scope, fn.expected);
        if (fn.expected && fn.expected.name !== 'Object') v = this.x.convert(v, fn.expected, exprNode);
        fn.returns.push(v.type);
        const e = v.emit;
        return (env) => { env.ret = e(env); return RETURN; };
      }
      case 'throw_statement': {
        const exprNode = node.namedChildren[0];
        if (!exprNode) {
          if (!fn.caught) return this.x.fail(node, 'A throw statement with no arguments is not allowed outside of a catch clause.');
          const caught = fn.caught;
          return (env) => { throw caught.read(env); };
        }
        const v = this.x.value(exprNode, scope);
        if (!this.x.rel.asType(v.type, 'Exception')) return this.x.fail(exprNode, 'The type caught or thrown must be derived from System.Exception.');
        const e = v.emit;
        return (env) => { const x = e(env); throw x === null ? nullReference() : x; };
      }
      case 'try_statement': return this.tryStatement(node, scope, fn);
      case 'using_statement': {
        // `using (var x = ...) { }`: the resource is declared and the body runs; the types an expression
        // can create (readers, hash algorithms) hold nothing to release.
        const inner = scope.child();
        const decl = node.namedChildren.find((c) => c?.type === 'variable_declaration');
        const init = decl ? this.declaration(decl, inner) : undefined;
        const exprNode = decl ? undefined : node.namedChildren.find((c) => c && c.type !== 'block' && c.id !== node.childForFieldName('body')?.id);
        const expr = exprNode ? this.x.value(exprNode, inner).emit : undefined;
        const body = this.statement(node.childForFieldName('body')!, inner, fn);
        return (env) => { if (init) init(env); else expr?.(env); return body(env); };
      }
      default:
        return this.x.fail(node, `The statement '${node.type.replace(/_/g, ' ')}' is not supported in policy expressions.`);
    }
  }

  private declaration(decl: Node, scope: Scope): Exec {
    const typeNode = decl.childForFieldName('type')!;
    const implicit = typeNode.type === 'implicit_type';
    const declared = implicit ? undefined : this.x.typeOf(typeNode);
    const steps: Emit[] = [];
    for (const d of decl.namedChildren) {
      if (!d || d.type !== 'variable_declarator') continue;
      const nameNode = d.childForFieldName('name') ?? d.namedChildren[0]!;
      const init = d.namedChildren.filter((c): c is Node => !!c && c.id !== nameNode.id && c.type !== 'bracketed_argument_list')[0];
      let type = declared;
      let value: Emit | undefined;
      if (init) {
        let v = this.x.value(init, scope, declared);
        if (declared) v = this.x.convert(v, declared, init);
        else if (v.type.name === '<null>' || v.type.name === 'Void') return this.x.fail(init, `Cannot assign ${v.type.name === 'Void' ? 'void' : '<null>'} to an implicitly-typed variable.`);
        type = v.type;
        value = v.emit;
      } else if (implicit) return this.x.fail(d, 'Implicitly-typed variables must be initialized.');
      const local = scope.declare(nameNode.text, type!);
      if (!local) return this.x.fail(nameNode, `A local variable named '${nameNode.text}' is already defined in this scope.`);
      const write = scope.access(local).write;
      const dflt = value ?? (() => null);
      steps.push(write(dflt));
    }
    return (env) => { for (const s of steps) s(env); return NORMAL; };
  }

  private forStatement(node: Node, scope: Scope, fn: FnContext): Exec {
    const inner = scope.child();
    const inits: Exec[] = [];
    const updates: Emit[] = [];
    let cond: Emit | undefined;
    let bodyNode: Node | undefined;
    for (let i = 0; i < node.childCount; i++) {
      const c = node.child(i);
      const field = node.fieldNameForChild(i);
      if (!c || !c.isNamed) continue;
      if (field === 'initializer') inits.push(c.type === 'variable_declaration' ? this.declaration(c, inner) : ((e) => (env: Env) => { e(env); return NORMAL as Signal; })(this.x.value(c, inner).emit));
      else if (field === 'condition') cond = this.x.convert(this.x.value(c, inner), T.bool, c).emit;
      else if (field === 'update') updates.push(this.x.value(c, inner).emit);
      else if (field === 'body') bodyNode = c;
    }
    const body = this.statement(bodyNode!, inner.child(), { ...fn, inLoop: true });
    return (env) => {
      for (const i of inits) i(env);
      while (!cond || cond(env)) {
        tick();
        const r = body(env);
        if (r === BREAK) break;
        if (r === RETURN) return r;
        for (const u of updates) u(env);
      }
      return NORMAL;
    };
  }

  private foreach(node: Node, scope: Scope, fn: FnContext): Exec {
    const source = this.x.value(node.childForFieldName('right')!, scope);
    const elem = this.x.rel.elementType(underlying(source.type));
    if (!elem) return this.x.fail(node.childForFieldName('right')!, `foreach statement cannot operate on variables of type '${typeText(source.type)}'.`);
    const typeNode = node.childForFieldName('type')!;
    const declared = typeNode.type === 'implicit_type' ? elem : this.x.typeOf(typeNode);
    const conv = this.x.rel.explicit(elem, declared);
    if (!conv) return this.x.fail(typeNode, `Cannot convert type '${typeText(elem)}' to '${typeText(declared)}'.`);
    const inner = scope.child();
    const nameNode = node.childForFieldName('left')!;
    const local = inner.declare(nameNode.text, declared);
    if (!local) return this.x.fail(nameNode, `A local variable named '${nameNode.text}' is already defined in this scope.`);
    const slotWrite = inner.access(local).write;
    let current: unknown = null;
    const store = slotWrite(() => current);
    const apply = conv.apply;
    const body = this.statement(node.childForFieldName('body')!, inner.child(), { ...fn, inLoop: true });
    const src = source.emit;
    return (env) => {
      const seq = src(env) as Iterable<unknown> | null;
      if (seq === null) throw nullReference();
      for (const x of seq) {
        tick();
        current = x === null ? null : apply(x);
        store(env);
        const r = body(env);
        if (r === BREAK) break;
        if (r === RETURN) return r;
      }
      return NORMAL;
    };
  }

  private switchStatement(node: Node, scope: Scope, fn: FnContext): Exec {
    const v = this.x.value(node.childForFieldName('value')!, scope);
    const e = v.emit;
    const sections: { labels: (((env: Env, x: unknown) => boolean) | 'default')[]; body: Exec[] }[] = [];
    const inner = scope.child();
    for (const s of node.childForFieldName('body')!.namedChildren) {
      if (!s || s.type !== 'switch_section') continue;
      const labels: (((env: Env, x: unknown) => boolean) | 'default')[] = [];
      const body: Exec[] = [];
      for (let i = 0; i < s.childCount; i++) {
        const c = s.child(i)!;
        if (c.type === 'default') labels.push('default');
        else if (c.type === 'constant_pattern') {
          const k = this.x.convert(this.x.value(c.namedChildren[0]!, inner), v.type, c);
          if (!k.constant) return this.x.fail(c, 'A constant value is expected.');
          const kv = k.constant.value;
          labels.push((_env, x) => x === kv);
        } else if (c.isNamed && c.type !== 'comment' && !['case', ':'].includes(c.type)) {
          if (c.type.endsWith('pattern') || c.type === 'when_clause') return this.x.fail(c, 'Only constant case labels are supported in switch statements.');
          body.push(this.statement(c, inner, { ...fn, inSwitch: true }));
        }
      }
      sections.push({ labels, body });
    }
    return (env) => {
      const x = e(env);
      let start = sections.findIndex((s) => s.labels.some((l) => l !== 'default' && l(env, x)));
      if (start < 0) start = sections.findIndex((s) => s.labels.includes('default'));
      if (start < 0) return NORMAL;
      // C# forbids falling through a non-empty section, so run from the first matching section to its end
      // (empty sections share the next one's statements).
      for (let k = start; k < sections.length; k++) {
        for (const st of sections[k].body) {
          const r = st(env);
          if (r === BREAK) return NORMAL;
          if (r !== NORMAL) return r;
        }
        if (sections[k].body.length) break;
      }
      return NORMAL;
    };
  }

  private tryStatement(node: Node, scope: Scope, fn: FnContext): Exec {
    const body = this.statement(node.childForFieldName('body')!, scope.child(), fn);
    const catches: { check: (e: DotNetException) => boolean; store?: Emit; held: { e: unknown }; body: Exec }[] = [];
    let fin: Exec | undefined;
    for (const c of node.namedChildren) {
      if (!c) continue;
      if (c.type === 'catch_clause') {
        const inner = scope.child();
        const decl = c.namedChildren.find((x) => x?.type === 'catch_declaration');
        const held = { e: null as unknown };
        let check: (e: DotNetException) => boolean = () => true;
        let store: Emit | undefined;
        let caughtLocal: { read: Emit } | undefined;
        if (decl) {
          const type = this.x.typeOf(decl.childForFieldName('type')!);
          const def = this.x.rel.def(type);
          if (!def || !this.x.rel.asType(type, 'Exception')) return this.x.fail(decl, 'The type caught or thrown must be derived from System.Exception.');
          const caught = def.fullName;
          check = (e) => exceptionIs(e.type, caught);
          const nameNode = decl.childForFieldName('name');
          if (nameNode) {
            const local = inner.declare(nameNode.text, type);
            if (!local) return this.x.fail(nameNode, `A local variable named '${nameNode.text}' is already defined in this scope.`);
            const acc = inner.access(local);
            store = acc.write(() => held.e);
            caughtLocal = acc;
          }
        }
        if (c.namedChildren.some((x) => x?.type === 'catch_filter_clause')) return this.x.fail(c, 'Exception filters are not supported.');
        // The caught exception lives in a local (hidden when unnamed), for `throw;` and `catch (E e)`.
        if (!caughtLocal) {
          const acc = inner.access(inner.declare(`<caught>${inner.fn.slots}`, t('Exception'))!);
          store = acc.write(() => held.e);
          caughtLocal = acc;
        }
        const cbody = this.statement(c.childForFieldName('body')!, inner, { ...fn, caught: caughtLocal });
        catches.push({ check, store, held, body: cbody });
      } else if (c.type === 'finally_clause') {
        fin = this.statement(c.namedChildren.find((x) => x?.type === 'block')!, scope.child(), fn);
      }
    }
    return (env) => {
      try {
        return body(env);
      } catch (e) {
        // Only .NET exceptions are catchable: a stopped runaway expression (BudgetExceeded) is not.
        if (!(e instanceof DotNetException)) throw e;
        const handler = catches.find((h) => h.check(e));
        if (!handler) throw e;
        handler.held.e = e;
        handler.store?.(env);
        return handler.body(env);
      } finally {
        if (fin) fin(env);
      }
    };
  }
}
