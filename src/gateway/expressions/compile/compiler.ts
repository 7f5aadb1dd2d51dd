// The checker and compiler in one pass: each syntax node is bound (every name resolved against locals,
// `context` and the declared surface; every member, overload and conversion checked) and turned into a
// JavaScript closure. Nothing from the expression's text is ever evaluated as code: the closures only
// call implementations the surface declares.
import type { Node } from '../syntax.js';
import { ExpressionError } from '../syntax.js';
import type { MethodDef, ParamDef, PropertyDef } from '../surface/define.js';
import { T, arrayOf, canonicalName, nullableOf, sameType, substitute, t, typeText, type TypeRef } from '../surface/types.js';
import { DotNetException, indexOutOfRange, nullReference } from '../dotnet/exceptions.js';
import { formatValue } from '../dotnet/composite.js';
import { RECEIVER, defineType } from '../surface/define.js';
import { AnonymousObject } from '../dotnet/anonymous.js';
import { checkedString, tick, type Env } from '../runtime.js';
import { FunctionScope, Scope, type Emit } from './scope.js';
import { StatementCompiler, type Exec } from './statements.js';
import { constantOf, type Bound, type MethodGroup, type Resolved, type TypeName } from './bound.js';
import { CallCompiler, type BoundArg, type Candidate } from './calls.js';
import { TypeRelations, delegateSig, identity, isNumeric, isNullable, underlying, type Conversion, type FoundMember } from './relations.js';
import { integerLiteral, realLiteral, unescape, verbatimText } from './literals.js';
import { arithmetic, bitwise, comparison, promote, promoteUnary } from './operators.js';
import { contextItself } from './fast-paths.js';




/** Names no expression may use: APIM refuses reflection, I/O and process access. */
const FORBIDDEN_NAMESPACES = /^System\.(IO|Diagnostics|Reflection|Runtime|Threading|Net\.Sockets|Environment|AppDomain)/;

export interface CompileOptions {
  /** The type of `context`. */
  contextType: TypeRef;
  position: (node: Node) => { line: number; column: number };
}

export class Compiler {
  readonly rel: TypeRelations;
  readonly root: FunctionScope = new FunctionScope(undefined);
  readonly statements = new StatementCompiler(this);
  readonly calls = new CallCompiler(this);
  constructor(readonly surface: TypeRelations['surface'], private readonly options: CompileOptions) {
    this.rel = new TypeRelations(surface);
  }

  fail(node: Node, message: string): never {
    const { line, column } = this.options.position(node);
    throw new ExpressionError(message, line, column);
  }

  // ---- entry points ----

  /** `@(expr)`: the expression's value. */
  expression(node: Node): Bound {
    return this.value(node, new Scope(this.root, undefined));
  }

  /** `@{ ... }`: the block's statements; its result is what `return` gives (types of all returns). */
  block(node: Node): { exec: Exec; returns: TypeRef[] } {
    const returns: TypeRef[] = [];
    const exec = this.statements.statement(node, new Scope(this.root, undefined), { returns, expected: undefined, inLoop: false, inSwitch: false });
    return { exec, returns };
  }

  // ---- expressions ----

  /** Binds a node that must be a value. */
  value(node: Node, scope: Scope, expected?: TypeRef): Bound {
    const r = this.bind(node, scope, expected);
    return this.asValue(r, node, scope, expected);
  }

  asValue(r: Resolved, node: Node, scope: Scope, expected?: TypeRef): Bound {
    switch (r.kind) {
      case 'value': return r;
      case 'type': return this.fail(node, `'${typeText(r.type)}' is a type, which is not valid in the given context.`);
      case 'namespace': return this.fail(node, `'${r.path}' is a namespace but is used like a variable.`);
      case 'methods': return this.fail(node, `Cannot convert method group '${r.name}' to a value: did you intend to invoke the method?`);
      case 'lambda': {
        const sig = expected && delegateSig(expected);
        if (!sig) return this.fail(node, 'Cannot convert lambda expression: the type of its parameters is not known here.');
        const l = this.lambda(r.node, scope, sig.params, sig.ret.name === 'Void' ? undefined : sig.ret);
        return { kind: 'value', type: expected, emit: l.emit };
      }
    }
  }

  /** A value converted to a type (C#'s implicit conversion), or a compile error naming both types. */
  convert(b: Bound, to: TypeRef, node: Node, explicit = false): Bound {
    const conv = explicit ? this.rel.explicit(b.type, to) : this.rel.implicit(b.type, to, b.constant?.value);
    if (!conv) {
      const verb = explicit ? 'Cannot convert type' : 'Cannot implicitly convert type';
      return this.fail(node, `${verb} '${typeText(b.type)}' to '${typeText(to)}'.`);
    }
    return this.applyConversion(b, to, conv);
  }

  applyConversion(b: Bound, to: TypeRef, conv: Conversion): Bound {
    if (conv.apply === identity) return { ...b, type: to, assign: undefined };
    const inner = b.emit;
    const apply = conv.apply;
    const constant = b.constant ? { value: b.constant.value === null ? null : apply(b.constant.value) } : undefined;
    return { kind: 'value', type: to, emit: (env) => { const v = inner(env); return v === null ? null : apply(v); }, constant };
  }

  bind(node: Node, scope: Scope, expected?: TypeRef): Resolved {
    const substitute = this.substitutes.get(node.id);
    if (substitute) return substitute(scope);
    if (POSTFIX_BASE[node.type] && !isChainLink(node)) {
      const r = this.reassociated(node, scope);
      if (r) return r;
    }
    switch (node.type) {
      case 'parenthesized_expression': return this.bind(node.namedChildren[0]!, scope, expected);
      case 'integer_literal': {
        const lit = integerLiteral(node.text);
        if (typeof lit === 'string') return this.fail(node, lit);
        return constantOf(lit.value, lit.type);
      }
      case 'real_literal': { const lit = realLiteral(node.text); return constantOf(lit.value, lit.type); }
      case 'boolean_literal': return constantOf(node.text === 'true', T.bool);
      case 'null_literal': return constantOf(null, T.null);
      case 'character_literal': {
        const esc = node.namedChildren.find((c) => c?.type === 'escape_sequence');
        const ch = esc ? unescape(esc.text) : node.text.slice(1, -1);
        return constantOf(ch, T.char);
      }
      case 'string_literal': return constantOf(this.stringLiteral(node), T.string);
      case 'verbatim_string_literal': return constantOf(verbatimText(node.text), T.string);
      case 'raw_string_literal': return this.fail(node, 'Raw string literals are not available in C# 7.');
      case 'interpolated_string_expression': return this.interpolated(node, scope);
      case 'identifier': return this.identifier(node, scope);
      case 'predefined_type': case 'generic_name': case 'qualified_name': case 'array_type': case 'nullable_type':
        return { kind: 'type', type: this.typeOf(node) };
      case 'member_access_expression': return this.memberAccess(node, scope);
      case 'conditional_access_expression': return this.conditionalAccess(node, scope);
      case 'invocation_expression': return this.calls.invocation(node, scope);
      case 'element_access_expression': return this.elementAccess(node, scope);
      case 'binary_expression': return this.binary(node, scope);
      case 'prefix_unary_expression': return this.prefixUnary(node, scope);
      case 'postfix_unary_expression': return this.postfixUnary(node, scope);
      case 'assignment_expression': return this.assignment(node, scope);
      case 'conditional_expression': return this.conditional(node, scope, expected);
      case 'cast_expression': {
        const to = this.typeOf(node.childForFieldName('type')!);
        const v = this.value(node.childForFieldName('value')!, scope, to);
        return this.convert(v, to, node, true);
      }
      case 'as_expression': {
        const v = this.value(node.childForFieldName('left')!, scope);
        const to = this.typeOf(node.childForFieldName('right')!);
        if (!this.rel.acceptsNull(to)) return this.fail(node, `The as operator must be used with a reference type or nullable type ('${typeText(to)}' is a non-nullable value type).`);
        const check = this.rel.runtimeCheck(to);
        if (!check && !this.rel.implicit(v.type, to)) return this.fail(node, `Cannot convert type '${typeText(v.type)}' to '${typeText(to)}' via a reference conversion.`);
        const inner = v.emit;
        return { kind: 'value', type: to, emit: check ? (env) => { const x = inner(env); return x !== null && check(x) ? x : null; } : inner };
      }
      case 'is_pattern_expression': return this.isPattern(node, scope);
      case 'is_expression': {
        const v = this.value(node.childForFieldName('left')!, scope);
        return this.typeTest(v, this.typeOf(node.childForFieldName('right')!), node);
      }
      case 'lambda_expression': return { kind: 'lambda', node };
      case 'object_creation_expression': return this.objectCreation(node, scope);
      case 'anonymous_object_creation_expression': return this.anonymousObject(node, scope);
      case 'array_creation_expression': return this.arrayCreation(node, scope);
      case 'implicit_array_creation_expression': return this.implicitArray(node, scope);
      case 'default_expression': {
        const ty = node.childForFieldName('type');
        const target = ty ? this.typeOf(ty) : expected;
        if (!target) return this.fail(node, 'The type of the default literal is not known here.');
        return constantOf(this.defaultValue(target, node), target);
      }
      case 'checked_expression': return this.bind(node.namedChildren[0]!, scope, expected);
      case 'typeof_expression': return this.fail(node, "'typeof' is not allowed in policy expressions (reflection).");
      case 'this_expression': case 'base_expression': return this.fail(node, `Keyword '${node.text}' is not valid in a policy expression.`);
      default:
        return this.fail(node, `The C# construct '${node.type.replace(/_/g, ' ')}' is not supported in policy expressions.`);
    }
  }

  private stringLiteral(node: Node): string {
    let s = '';
    for (const c of node.namedChildren) {
      if (!c) continue;
      if (c.type === 'string_literal_content') s += c.text;
      else if (c.type === 'escape_sequence') s += unescape(c.text);
    }
    return s;
  }

  private interpolated(node: Node, scope: Scope): Bound {
    const verbatim = node.namedChildren.some((c) => c?.type === 'interpolation_start' && c.text.includes('@'));
    const parts: Emit[] = [];
    for (const c of node.namedChildren) {
      if (!c) continue;
      if (c.type === 'string_content') {
        const text = c.text.replace(/\{\{/g, '{').replace(/\}\}/g, '}');
        const lit = verbatim ? text.replace(/""/g, '"') : text;
        parts.push(() => lit);
      } else if (c.type === 'escape_sequence') {
        const lit = verbatim ? c.text : unescape(c.text);
        parts.push(() => lit);
      } else if (c.type === 'interpolation') {
        const exprNode = c.namedChildren.find((x) => x && !['interpolation_brace', 'interpolation_alignment_clause', 'interpolation_format_clause'].includes(x.type))!;
        const v = this.value(exprNode, scope);
        const alignNode = c.namedChildren.find((x) => x?.type === 'interpolation_alignment_clause');
        const formatNode = c.namedChildren.find((x) => x?.type === 'interpolation_format_clause');
        const align = alignNode ? Number(this.value(alignNode.namedChildren[0]!, scope).constant?.value ?? 0) : 0;
        const format = formatNode ? formatNode.text.slice(1) : undefined;
        const text = this.textOf(v, format);
        parts.push(align === 0 ? text : (env) => { const s = text(env); return align > 0 ? s.padStart(align) : s.padEnd(-align); });
      }
    }
    return { kind: 'value', type: T.string, emit: (env) => { let s = ''; for (const p of parts) s += p(env) as string; return checkedString(s); } };
  }

  /** A value's text (ToString(), or ToString(format)), null as "". */
  textOf(v: Bound, format?: string): (env: Env) => string {
    if (format !== undefined) {
      const m = this.findMethod(v.type, 'ToString', [T.string]);
      if (!m) this.failAt(`'${typeText(v.type)}' has no ToString(string format) for the format '${format}'.`);
      const impl = m!.impl as unknown as (self: unknown, f: string) => unknown;
      const inner = v.emit;
      return (env) => { const x = inner(env); return x === null ? '' : String(impl(x, format)); };
    }
    const inner = v.emit;
    if (v.type.name === 'String') return (env) => (inner(env) as string | null) ?? '';
    const type = underlying(v.type).name;
    return (env) => formatValue(inner(env), null, type);
  }

  private failAt(message: string): never { throw new ExpressionError(message, 1, 1); }

  /** An instance method with exactly these parameter types (for ToString(format) and the like). */
  private findMethod(type: TypeRef, name: string, params: TypeRef[]): MethodDef | undefined {
    for (const f of this.rel.members(underlying(type), name, false)) {
      const m = f.member;
      if (m.kind === 'method' && m.params.length === params.length && m.params.every((p, i) => sameType(substitute(p.type, f.bindings), params[i]))) return m;
    }
    return undefined;
  }

  private identifier(node: Node, scope: Scope): Resolved {
    const name = node.text;
    const local = scope.lookup(name);
    if (local) {
      const acc = scope.access(local);
      return { kind: 'value', type: local.type, emit: acc.read, assign: acc.write };
    }
    if (name === 'context') return { kind: 'value', type: this.options.contextType, emit: (env) => env.context, direct: contextItself };
    const type = this.surface.type(name);
    if (type && !name.includes('.')) return { kind: 'type', type: { name: type.name, args: [] } };
    if (/^[A-Z]/.test(name) && this.isNamespace(name)) return { kind: 'namespace', path: name };
    return this.fail(node, `The name '${name}' does not exist in the current context.`);
  }

  private isNamespace(path: string): boolean {
    return path === 'System' || path === 'Newtonsoft' || path.startsWith('System.') || path.startsWith('Newtonsoft.');
  }

  /** A type written in the expression (`int`, `List<string>`, `JObject[]`, `DateTime?`). */
  typeOf(node: Node): TypeRef {
    switch (node.type) {
      case 'predefined_type': return t(canonicalName(node.text));
      case 'implicit_type': return this.fail(node, "'var' is not valid here.");
      case 'identifier': case 'qualified_name': {
        const name = node.text.replace(/\s/g, '');
        if (FORBIDDEN_NAMESPACES.test(name)) return this.fail(node, `The type '${name}' is not allowed in policy expressions.`);
        const def = this.surface.type(name) ?? this.surface.type(name.slice(name.lastIndexOf('.') + 1));
        if (!def || (name.includes('.') && def.fullName !== name && def.name !== name)) return this.fail(node, `The type or namespace name '${name}' could not be found or is not allowed in policy expressions.`);
        if (def.typeParams.length) return this.fail(node, `Using the generic type '${def.name}<${def.typeParams.join(', ')}>' requires ${def.typeParams.length} type arguments.`);
        return t(def.name);
      }
      case 'generic_name': {
        const name = node.namedChildren[0]!.text;
        const args = node.namedChildren[1]!.namedChildren.filter((c): c is Node => !!c).map((c) => this.typeOf(c));
        if (delegateSig(t(name, ...args))) return t(name, ...args);
        const def = this.surface.type(name);
        if (!def) return this.fail(node, `The type or namespace name '${name}<>' could not be found or is not allowed in policy expressions.`);
        if (def.typeParams.length !== args.length) return this.fail(node, `Using the generic type '${def.name}' requires ${def.typeParams.length} type arguments.`);
        return t(def.name, ...args);
      }
      case 'array_type': return arrayOf(this.typeOf(node.childForFieldName('type')!));
      case 'nullable_type': {
        const inner = this.typeOf(node.namedChildren[0]!);
        return this.rel.isValueType(inner) ? nullableOf(inner) : inner;
      }
      default: return this.fail(node, `'${node.text}' is not a type.`);
    }
  }

  private defaultValue(ty: TypeRef, node: Node): unknown {
    if (ty.name === 'Boolean') return false;
    if (ty.name === 'Char') return '\0';
    if (ty.name === 'Int64' || ty.name === 'UInt64') return 0n;
    if (isNumeric(ty)) return 0;
    if (this.rel.acceptsNull(ty)) return null;
    const def = this.rel.def(ty);
    const empty = def?.statics.get('MinValue')?.[0] ?? def?.statics.get('Empty')?.[0];
    if (empty?.kind === 'property') return (empty.get as unknown as () => unknown)();
    return this.fail(node, `default(${typeText(ty)}) is not supported.`);
  }

  // ---- members ----

  private memberAccess(node: Node, scope: Scope): Resolved {
    const exprNode = node.childForFieldName('expression')!;
    const nameNode = node.childForFieldName('name')!;
    const target = this.bind(exprNode, scope);
    return this.member(target, nameNode, node, scope);
  }

  private member(target: Resolved, nameNode: Node, node: Node, scope: Scope): Resolved {
    const generic = nameNode.type === 'generic_name';
    const name = generic ? nameNode.namedChildren[0]!.text : nameNode.text;
    const typeArgs = generic ? nameNode.namedChildren[1]!.namedChildren.filter((c): c is Node => !!c).map((c) => this.typeOf(c)) : undefined;
    if (target.kind === 'namespace') {
      const path = `${target.path}.${name}`;
      if (FORBIDDEN_NAMESPACES.test(path)) return this.fail(node, `'${path}' is not allowed in policy expressions.`);
      const def = this.surface.type(path);
      if (def) return { kind: 'type', type: t(def.name) };
      if (this.isNamespace(path)) return { kind: 'namespace', path };
      return this.fail(nameNode, `The type or namespace name '${name}' does not exist in the namespace '${target.path}' (or is not allowed in policy expressions).`);
    }
    if (target.kind === 'lambda' || target.kind === 'methods') return this.fail(node, `'${name}' cannot be accessed here.`);
    const statics = target.kind === 'type';
    const type = target.type;
    const found = this.rel.members(statics ? type : underlying(type), name, statics);
    const nullableMember = !statics && isNullable(type) && !(target as Bound).conditional ? this.nullableMember(target as Bound, name, node) : undefined;
    if (nullableMember) return nullableMember;
    if (target.kind === 'value' && type.name === '[]' && name === 'Length') {
      return this.receiverCall(target, T.int, (a) => (a as unknown[]).length);
    }
    if (found.length === 0) {
      if (!statics && this.surface.extensionMethods(name).length) return { kind: 'methods', receiver: target, name, typeArgs, node };
      if (typeArgs === undefined && !statics && name === 'ToString') return { kind: 'methods', receiver: target, name, node };
      return this.fail(nameNode, `'${name}' is not a member of '${typeText(type)}'.`);
    }
    const first = found[0];
    if (first.member.kind === 'property') return this.property(target, first as FoundMember & { member: PropertyDef });
    return { kind: 'methods', receiver: target, name, typeArgs, node };
  }

  private nullableMember(target: Bound, name: string, node: Node): Bound | undefined {
    const inner = target.emit;
    const of = target.type.args[0];
    if (name === 'HasValue') return { kind: 'value', type: T.bool, emit: (env) => inner(env) !== null };
    if (name === 'Value') {
      return { kind: 'value', type: of, emit: (env) => { const v = inner(env); if (v === null) throw new DotNetException('System.InvalidOperationException', 'Nullable object must have a value.'); return v; } };
    }
    if (name === 'GetValueOrDefault') return undefined;
    return this.fail(node, `'${name}' is not a member of '${typeText(target.type)}'.`);
  }

  /** Reads a property (instance or static). */
  private property(target: Bound | TypeName, found: FoundMember & { member: PropertyDef }): Bound {
    const p = found.member;
    const type = substitute(p.type, found.bindings);
    const get = p.get as unknown as (self?: unknown) => unknown;
    const set = p.set as unknown as ((self: unknown, v: unknown) => unknown) | undefined;
    if (target.kind === 'type') {
      return {
        kind: 'value', type, emit: () => get(),
        assign: set ? (value) => (env) => { const v = value(env); (set as unknown as (v: unknown) => void)(v); return v; } : undefined,
      };
    }
    if (p.get === RECEIVER && !target.conditional) return { kind: 'value', type, emit: target.emit, direct: target.direct };
    const b = this.receiverCall(target, type, get);
    b.readVia = { property: p, receiver: target };
    if (set) {
      const recv = target.emit;
      const conditional = target.conditional;
      b.assign = (value) => (env) => {
        const self = recv(env);
        if (self === null) { if (conditional) return null; throw nullReference(); }
        const v = value(env);
        set(self, v);
        return v;
      };
    }
    return b;
  }

  /** Calls `f(receiver)`, throwing NullReferenceException on null (or short-circuiting in a `?.` chain). */
  receiverCall(target: Bound, type: TypeRef, f: (self: unknown) => unknown): Bound {
    const recv = target.emit;
    if (target.conditional) {
      return { kind: 'value', type: this.lift(type), conditional: true, emit: (env) => { const self = recv(env); return self === null ? null : f(self); } };
    }
    return { kind: 'value', type, emit: (env) => { const self = recv(env); if (self === null) throw nullReference(); return f(self); } };
  }

  /** A `?.` result type: value types become nullable. */
  lift(type: TypeRef): TypeRef {
    return this.rel.isValueType(type) && !isNullable(type) && type.name !== 'Void' ? nullableOf(type) : type;
  }

  /** Nodes compiled as something else while a misparsed `?.` chain is re-associated (by node id). */
  private readonly substitutes = new Map<number, (scope: Scope) => Resolved>();

  /**
   * tree-sitter-c-sharp parses `a + b?.c` (also `-b?.c`, `(T)b?.c`) as `(a + b)?.c`; in C# `?.` binds
   * tighter: `a + (b?.c)`. For the top of a postfix chain (`.x`, `?.x`, `(...)`, `[...]`) whose `?.` has
   * such an operator expression as its receiver, this compiles the operator expression with its
   * rightmost operand standing for the whole chain built on that operand. Undefined when the chain is
   * parsed right.
   */
  private reassociated(top: Node, scope: Scope): Resolved | undefined {
    let n = top;
    let loose: Node | undefined;
    for (;;) {
      const field = POSTFIX_BASE[n.type];
      const inner = field ? n.childForFieldName(field) : null;
      if (!inner) return undefined;
      if (n.type === 'conditional_access_expression' && LOOSER_THAN_POSTFIX[inner.type]) { loose = inner; break; }
      n = inner;
    }
    let operand = loose;
    while (LOOSER_THAN_POSTFIX[operand.type]) operand = rightmostOperand(operand);
    const [looseId, operandId] = [loose.id, operand.id];
    // Compiling `loose` reaches `operand`: that stands for the chain, in which `loose` is `operand` itself.
    this.substitutes.set(operandId, (sc) => {
      this.substitutes.delete(operandId);
      this.substitutes.set(looseId, (sc2) => { this.substitutes.delete(looseId); return this.bind(operand, sc2); });
      return this.chainOf(top, sc);
    });
    try {
      return this.bind(loose, scope);
    } finally {
      this.substitutes.delete(operandId);
      this.substitutes.delete(looseId);
    }
  }

  /** A postfix chain compiled as it stands (no re-association at its top). */
  private chainOf(top: Node, scope: Scope): Resolved {
    switch (top.type) {
      case 'member_access_expression': return this.memberAccess(top, scope);
      case 'conditional_access_expression': return this.conditionalAccess(top, scope);
      case 'invocation_expression': return this.calls.invocation(top, scope);
      default: return this.elementAccess(top, scope);
    }
  }

  private conditionalAccess(node: Node, scope: Scope): Resolved {
    const target = this.value(node.childForFieldName('condition')!, scope);
    const binding = node.namedChildren[node.namedChildren.length - 1]!;
    // The receiver, evaluated once, is held by the binding expression below.
    const recvType = underlying(target.type);
    const held: Bound = { kind: 'value', type: recvType, emit: target.emit, conditional: true };
    let r: Resolved;
    if (binding.type === 'member_binding_expression') r = this.member(held, binding.childForFieldName('name')!, binding, scope);
    else if (binding.type === 'element_binding_expression') r = this.index(held, binding, scope);
    else return this.fail(binding, 'Unsupported conditional access.');
    if (r.kind === 'value') return { ...r, conditional: true, type: this.lift(r.type) };
    return r;
  }

  // ---- lambdas and local functions ----


  lambda(node: Node, scope: Scope, paramTypes: readonly TypeRef[], ret: TypeRef | undefined): { emit: Emit; ret: TypeRef } {
    const inner = scope.lambda();
    const paramsNode = node.childForFieldName('parameters')!;
    const names: { name: string; node: Node; type?: Node }[] = paramsNode.type === 'implicit_parameter' || paramsNode.type === 'identifier'
      ? [{ name: paramsNode.text, node: paramsNode }]
      : paramsNode.namedChildren.filter((p): p is Node => !!p && p.type === 'parameter').map((p) => ({ name: p.childForFieldName('name')!.text, node: p, type: p.childForFieldName('type') ?? undefined }));
    if (names.length !== paramTypes.length) return this.fail(node, `The lambda takes ${names.length} parameters; ${paramTypes.length} are expected here.`);
    names.forEach((n, i) => {
      const declared = n.type ? this.typeOf(n.type) : paramTypes[i];
      if (!sameType(declared, paramTypes[i])) this.fail(n.node, `Parameter ${i + 1} is declared as '${typeText(declared)}' but '${typeText(paramTypes[i])}' is expected.`);
      if (!inner.declare(n.name, paramTypes[i])) this.fail(n.node, `A local or parameter named '${n.name}' cannot be declared in this scope because that name is used in an enclosing scope.`);
    });
    let bodyNode = node.childForFieldName('body')!;
    if (bodyNode.type === 'arrow_expression_clause') bodyNode = bodyNode.namedChildren[0]!;
    const fn = inner.fn;
    let body: Emit;
    let retType: TypeRef;
    if (bodyNode.type === 'block') {
      const returns: TypeRef[] = [];
      const exec = this.statements.statement(bodyNode, inner, { returns, expected: ret, inLoop: false, inSwitch: false });
      retType = ret ?? returns.find((r) => r.name !== '<null>') ?? T.void;
      body = (env) => { exec(env); return env.ret ?? null; };
    } else {
      let b = this.value(bodyNode, inner, ret);
      if (ret && ret.name !== 'Void') b = this.convert(b, ret, bodyNode);
      retType = b.type;
      body = b.emit;
    }
    const n = names.length;
    return {
      ret: retType,
      emit: (env) => (...args: unknown[]) => {
        tick();
        const e: Env = { locals: new Array(fn.slots).fill(null), up: env, context: env.context };
        for (let i = 0; i < n; i++) e.locals[i] = args[i] === undefined ? null : args[i];
        return body(e);
      },
    };
  }

  // ---- indexing ----

  private elementAccess(node: Node, scope: Scope): Resolved {
    const target = this.value(node.childForFieldName('expression')!, scope);
    return this.index(target, node.childForFieldName('subscript')!, scope);
  }

  private index(target: Bound, subscript: Node, scope: Scope): Bound {
    const argNodes = subscript.namedChildren.filter((a): a is Node => !!a && a.type === 'argument');
    const args = argNodes.map((a) => this.value(a.namedChildren[a.namedChildren.length - 1]!, scope));
    const type = underlying(target.type);
    if (type.name === '[]') {
      if (args.length !== 1) return this.fail(subscript, 'Wrong number of indices inside []; expected 1.');
      const i = this.convert(args[0], T.int, argNodes[0]).emit;
      const b = this.receiverCall(target, type.args[0], () => undefined);
      const recv = target.emit;
      const cond = target.conditional;
      b.emit = (env) => {
        const a = recv(env) as unknown[] | null;
        if (a === null) { if (cond) return null; throw nullReference(); }
        // (a byte[] is a Uint8Array: indexing and length read the same)
        const k = i(env) as number;
        if (k < 0 || k >= a.length) throw indexOutOfRange();
        return a[k];
      };
      b.assign = (value) => (env) => {
        const a = recv(env) as unknown[] | null;
        if (a === null) throw nullReference();
        const k = i(env) as number;
        if (k < 0 || k >= a.length) throw indexOutOfRange();
        a[k] = value(env);
        return a[k];
      };
      return b;
    }
    for (const { indexer, bindings } of this.rel.indexers(type)) {
      if (indexer.params.length !== args.length) continue;
      const convs = indexer.params.map((p, k) => this.rel.implicit(args[k].type, substitute(p.type, bindings), args[k].constant?.value));
      if (convs.some((c) => !c)) continue;
      const keys = args.map((a, k) => this.applyConversion(a, substitute(indexer.params[k].type, bindings), convs[k]!).emit);
      const get = indexer.get as unknown as (...a: unknown[]) => unknown;
      const set = indexer.set as unknown as ((...a: unknown[]) => unknown) | undefined;
      const recv = target.emit;
      const cond = target.conditional;
      const type2 = substitute(indexer.type, bindings);
      const b: Bound = {
        kind: 'value', type: cond ? this.lift(type2) : type2, conditional: cond,
        emit: (env) => {
          const self = recv(env);
          if (self === null) { if (cond) return null; throw nullReference(); }
          return get(self, ...keys.map((k) => k(env)));
        },
      };
      if (set) {
        b.assign = (value) => (env) => {
          const self = recv(env);
          if (self === null) throw nullReference();
          const v = value(env);
          set(self, ...keys.map((k) => k(env)), v);
          return v;
        };
      }
      return b;
    }
    return this.fail(subscript, `Cannot apply indexing with [] to an expression of type '${typeText(target.type)}' with these arguments.`);
  }

  // ---- operators ----

  private binary(node: Node, scope: Scope): Bound {
    const op = node.childForFieldName('operator')!.text;
    const leftNode = node.childForFieldName('left')!;
    const rightNode = node.childForFieldName('right')!;
    if (op === '&&' || op === '||') {
      const l = this.convert(this.value(leftNode, scope), T.bool, leftNode).emit;
      const r = this.convert(this.value(rightNode, scope), T.bool, rightNode).emit;
      return { kind: 'value', type: T.bool, emit: op === '&&' ? (env) => (l(env) as boolean) && (r(env) as boolean) : (env) => (l(env) as boolean) || (r(env) as boolean) };
    }
    if (op === '??') return this.coalesce(node, leftNode, rightNode, scope);
    const left = this.value(leftNode, scope);
    const right = this.value(rightNode, scope, left.type);
    return this.operator(op, left, right, node);
  }

  /** A binary operator on bound operands (also used by compound assignment). */
  operator(op: string, left: Bound, right: Bound, node: Node): Bound {
    const lt = left.type, rt = right.type;
    // string concatenation: either side a string.
    if (op === '+' && (lt.name === 'String' || rt.name === 'String')) {
      const a = this.textOf(left), b = this.textOf(right);
      return { kind: 'value', type: T.string, emit: (env) => checkedString(a(env) + b(env)) };
    }
    // User-defined operators (DateTime - TimeSpan, XNamespace + string, ...).
    const opName = OPERATOR_NAMES[op];
    const user = opName && this.userOperator(opName, left, right);
    if (user) return user;
    if (op === '==' || op === '!=') return this.equality(op, left, right, node);
    // Lifted operators on nullable numbers: null in, null out (comparisons: false).
    const lu = underlying(lt), ru = underlying(rt);
    const lifted = isNullable(lt) || isNullable(rt);
    if (lu.name === 'Boolean' && ru.name === 'Boolean' && (op === '&' || op === '|' || op === '^')) {
      const f = bitwise(op, T.bool)!;
      const a = left.emit, b = right.emit;
      return { kind: 'value', type: T.bool, emit: (env) => f(a(env), b(env)) };
    }
    const shift = op === '<<' || op === '>>';
    const type = shift ? promoteUnary(lu) : promote(lu, ru);
    if (!type) return this.fail(node, `Operator '${op}' cannot be applied to operands of type '${typeText(lt)}' and '${typeText(rt)}'.`);
    const a = this.convert(left, lifted && !shift ? nullableOf(type) : type, node).emit;
    const b = shift ? this.convert(right, T.int, node).emit : this.convert(right, lifted ? nullableOf(type) : type, node).emit;
    const cmp = comparison(op);
    if (cmp) {
      return { kind: 'value', type: T.bool, emit: lifted ? (env) => { const x = a(env), y = b(env); return x !== null && y !== null && (cmp(x, y) as boolean); } : (env) => cmp(a(env), b(env)) };
    }
    const f = arithmetic(op, type) ?? bitwise(op, type);
    if (!f) return this.fail(node, `Operator '${op}' cannot be applied to operands of type '${typeText(lt)}' and '${typeText(rt)}'.`);
    if (lifted) return { kind: 'value', type: nullableOf(type), emit: (env) => { const x = a(env), y = b(env); return x === null || y === null ? null : f(x, y); } };
    return { kind: 'value', type, emit: (env) => f(a(env), b(env)) };
  }

  private userOperator(opName: string, left: Bound, right: Bound): Bound | undefined {
    for (const owner of [underlying(left.type), underlying(right.type)]) {
      const def = this.rel.def(owner);
      for (const m of def?.statics.get(opName) ?? []) {
        if (m.kind !== 'method' || m.params.length !== 2) continue;
        const c1 = this.rel.implicit(left.type, m.params[0].type, left.constant?.value);
        const c2 = this.rel.implicit(right.type, m.params[1].type, right.constant?.value);
        if (!c1 || !c2) continue;
        const a = this.applyConversion(left, m.params[0].type, c1).emit;
        const b = this.applyConversion(right, m.params[1].type, c2).emit;
        const impl = m.impl as unknown as (x: unknown, y: unknown) => unknown;
        return { kind: 'value', type: m.ret, emit: (env) => impl(a(env), b(env)) };
      }
    }
    return undefined;
  }

  private equality(op: string, left: Bound, right: Bound, node: Node): Bound {
    const neg = op === '!=';
    const lt = underlying(left.type), rt = underlying(right.type);
    let a = left.emit, b = right.emit;
    if (isNumeric(lt) && isNumeric(rt)) {
      const type = promote(lt, rt);
      if (!type) return this.fail(node, `Operator '${op}' cannot be applied to operands of type '${typeText(left.type)}' and '${typeText(right.type)}'.`);
      a = this.convert(left, isNullable(left.type) ? nullableOf(type) : type, node).emit;
      b = this.convert(right, isNullable(right.type) ? nullableOf(type) : type, node).emit;
    } else if (left.type.name !== '<null>' && right.type.name !== '<null>' && !this.rel.implicit(left.type, right.type) && !this.rel.implicit(right.type, left.type)) {
      return this.fail(node, `Operator '${op}' cannot be applied to operands of type '${typeText(left.type)}' and '${typeText(right.type)}'.`);
    }
    return { kind: 'value', type: T.bool, emit: neg ? (env) => a(env) !== b(env) : (env) => a(env) === b(env) };
  }

  private coalesce(node: Node, leftNode: Node, rightNode: Node, scope: Scope): Bound {
    const left = this.value(leftNode, scope);
    if (!this.rel.acceptsNull(left.type)) return this.fail(node, `Operator '??' cannot be applied to operands of type '${typeText(left.type)}'.`);
    const lu = underlying(left.type);
    const right = this.value(rightNode, scope, lu);
    const type = this.rel.implicit(right.type, lu, right.constant?.value) ? lu : this.rel.common(left.type, right.type);
    if (!type) return this.fail(node, `Operator '??' cannot be applied to operands of type '${typeText(left.type)}' and '${typeText(right.type)}'.`);
    const a = left.emit;
    const b = this.convert(right, type, rightNode).emit;
    return { kind: 'value', type, emit: (env) => { const v = a(env); return v === null ? b(env) : v; } };
  }

  private prefixUnary(node: Node, scope: Scope): Bound {
    const op = node.children[0]!.text;
    const operandNode = node.namedChildren[0]!;
    const v = this.value(operandNode, scope);
    // Lifted operators (C# spec 12.4.8): on a nullable operand, null gives null.
    if (isNullable(v.type) && (op === '!' || op === '-' || op === '+' || op === '~')) {
      const inner = underlying(v.type);
      const plain = this.prefixOperator(op, { kind: 'value', type: inner, emit: (env) => env.ret }, node, operandNode);
      const e = v.emit, f = plain.emit;
      return { kind: 'value', type: nullableOf(plain.type), emit: (env) => {
        const x = e(env);
        if (x === null) return null;
        // The operator's operand read from a scratch Env (its emit reads `ret`), never the caller's.
        return f({ locals: env.locals, up: env.up, context: env.context, ret: x });
      } };
    }
    return this.prefixOperator(op, v, node, operandNode);
  }

  private prefixOperator(op: string, v: Bound, node: Node, operandNode: Node): Bound {
    switch (op) {
      case '!': { const e = this.convert(v, T.bool, operandNode).emit; return { kind: 'value', type: T.bool, emit: (env) => !(e(env) as boolean) }; }
      case '-': case '+': case '~': {
        const type = promoteUnary(underlying(v.type));
        if (!type) return this.fail(node, `Operator '${op}' cannot be applied to operand of type '${typeText(v.type)}'.`);
        if (op === '-' && v.constant && typeof v.constant.value === 'number' && type.name === 'UInt32' && v.constant.value === 2147483648) return constantOf(-2147483648, T.int);
        if (op === '-' && v.constant && typeof v.constant.value === 'bigint' && v.type.name === 'UInt64' && v.constant.value === 9223372036854775808n) return constantOf(-9223372036854775808n, T.long);
        const e = this.convert(v, type, operandNode).emit;
        if (op === '+') return { kind: 'value', type, emit: e };
        const zero = type.name === 'Int64' || type.name === 'UInt64' ? 0n : 0;
        const f = op === '-' ? arithmetic('-', type)! : bitwise('^', type)!;
        const other = op === '-' ? zero : (type.name === 'Int64' ? -1n : type.name === 'UInt64' ? 0xffffffffffffffffn : type.name === 'UInt32' ? 0xffffffff : -1);
        const out: Bound = { kind: 'value', type, emit: op === '-' ? (env) => f(zero, e(env)) : (env) => f(e(env), other) };
        if (v.constant) out.constant = { value: out.emit(undefined as unknown as Env) };
        return out;
      }
      case '++': case '--': return this.increment(v, op, node, true);
      default: return this.fail(node, `Operator '${op}' is not supported.`);
    }
  }

  private postfixUnary(node: Node, scope: Scope): Bound {
    const op = node.children[node.children.length - 1]!.text;
    const v = this.value(node.namedChildren[0]!, scope);
    if (op === '!') return v; // the null-forgiving operator
    return this.increment(v, op, node, false);
  }

  private increment(v: Bound, op: string, node: Node, prefix: boolean): Bound {
    if (!v.assign) return this.fail(node, 'The operand of an increment or decrement operator must be a variable, property or indexer.');
    const one: Bound = constantOf(1, T.int);
    const next = this.convert(this.operator(op === '++' ? '+' : '-', v, one, node), v.type, node, true).emit;
    const read = v.emit;
    if (prefix) return { kind: 'value', type: v.type, emit: v.assign(next) };
    let old: unknown = null;
    const store = v.assign(next);
    return { kind: 'value', type: v.type, emit: (env) => { old = read(env); store(env); return old; } };
  }

  private assignment(node: Node, scope: Scope): Bound {
    const op = node.childForFieldName('operator')!.text;
    const leftNode = node.childForFieldName('left')!;
    const rightNode = node.childForFieldName('right')!;
    const left = this.value(leftNode, scope);
    if (!left.assign) return this.fail(leftNode, 'The left-hand side of an assignment must be a variable, property or indexer (this one is read only).');
    if (op === '=') {
      const right = this.convert(this.value(rightNode, scope, left.type), left.type, rightNode);
      return { kind: 'value', type: left.type, emit: left.assign(right.emit) };
    }
    if (op === '??=') {
      const right = this.convert(this.value(rightNode, scope, left.type), left.type, rightNode).emit;
      const read = left.emit;
      const store = left.assign(right);
      return { kind: 'value', type: left.type, emit: (env) => { const v = read(env); return v === null ? store(env) : v; } };
    }
    const right = this.value(rightNode, scope, left.type);
    const combined = this.operator(op.slice(0, -1), left, right, node);
    const back = this.convert(combined, left.type, node, true);
    return { kind: 'value', type: left.type, emit: left.assign(back.emit) };
  }

  private conditional(node: Node, scope: Scope, expected?: TypeRef): Bound {
    const cond = this.convert(this.value(node.childForFieldName('condition')!, scope), T.bool, node).emit;
    const aNode = node.childForFieldName('consequence')!, bNode = node.childForFieldName('alternative')!;
    const a = this.value(aNode, scope, expected), b = this.value(bNode, scope, expected);
    let type = this.rel.common(a.type, b.type);
    if (!type && a.type.name === '<null>' && this.rel.isValueType(b.type)) type = nullableOf(b.type);
    if (!type && b.type.name === '<null>' && this.rel.isValueType(a.type)) type = nullableOf(a.type);
    if (!type) return this.fail(node, `Type of conditional expression cannot be determined because there is no implicit conversion between '${typeText(a.type)}' and '${typeText(b.type)}'.`);
    const x = this.convert(a, type, aNode).emit, y = this.convert(b, type, bNode).emit;
    return { kind: 'value', type, emit: (env) => (cond(env) ? x(env) : y(env)) };
  }

  private isPattern(node: Node, scope: Scope): Bound {
    const v = this.value(node.childForFieldName('expression')!, scope);
    const pattern = node.childForFieldName('pattern')!;
    switch (pattern.type) {
      case 'constant_pattern': {
        const c = this.value(pattern.namedChildren[0]!, scope);
        if (c.type.name === '<null>') { const e = v.emit; return { kind: 'value', type: T.bool, emit: (env) => e(env) === null }; }
        return this.equality('==', v, c, pattern);
      }
      case 'declaration_pattern': {
        const to = this.typeOf(pattern.childForFieldName('type')!);
        const check = this.rel.implicit(v.type, to) ? () => true : this.rel.runtimeCheck(to);
        if (!check) return this.fail(pattern, `The type '${typeText(to)}' cannot be tested with 'is' here.`);
        const nameNode = pattern.childForFieldName('name')!;
        const local = scope.declare(nameNode.text, to);
        if (!local) return this.fail(nameNode, `A local variable named '${nameNode.text}' is already defined in this scope.`);
        const e = v.emit;
        let held: unknown = null;
        const store = scope.access(local).write(() => held);
        return { kind: 'value', type: T.bool, emit: (env) => { const x = e(env); if (x === null || !check(x)) return false; held = x; store(env); return true; } };
      }
      case 'type_pattern': case 'identifier': case 'predefined_type': case 'generic_name': case 'qualified_name':
        return this.typeTest(v, this.typeOf(pattern.type === 'type_pattern' ? pattern.namedChildren[0]! : pattern), pattern);
      default: return this.fail(pattern, `The pattern '${pattern.text}' is not supported in policy expressions.`);
    }
  }

  private typeTest(v: Bound, to: TypeRef, node: Node): Bound {
    const check = this.rel.runtimeCheck(to);
    const e = v.emit;
    if (this.rel.implicit(v.type, to) && !this.rel.acceptsNull(v.type)) return { kind: 'value', type: T.bool, emit: () => true };
    if (!check) return this.fail(node, `The type '${typeText(to)}' cannot be tested with 'is' here.`);
    return { kind: 'value', type: T.bool, emit: (env) => { const x = e(env); return x !== null && check(x); } };
  }

  // ---- creation ----

  private objectCreation(node: Node, scope: Scope): Bound {
    const typeNode = node.childForFieldName('type')!;
    const type = this.typeOf(typeNode);
    const def = this.rel.def(type);
    if (!def || def.isStatic) return this.fail(typeNode, `Cannot create an instance of '${typeText(type)}'.`);
    const argNodes = (node.childForFieldName('arguments')?.namedChildren ?? []).filter((a): a is Node => !!a && a.type === 'argument');
    const args = this.calls.bindArgs(argNodes, scope);
    const candidates: Candidate[] = def.ctors.map((c) => ({ method: c, bindings: this.rel.bindingsOf(type, def), extension: false }));
    const chosen = this.calls.resolve(candidates, args, undefined, scope, undefined);
    if (!chosen) return this.fail(node, `'${typeText(type)}' does not have a constructor that takes these ${args.length} argument(s).`);
    const ctor = this.calls.emitCall(chosen, { kind: 'type', type }, scope);
    const created: Bound = { kind: 'value', type, emit: ctor.emit };
    const init = node.childForFieldName('initializer');
    if (!init) return created;
    // Object and collection initializers run against the new object, held in a temporary.
    const temp = scope.declare(`<new>${scope.fn.slots}`, type)!;
    const acc = scope.access(temp);
    const self: Bound = { kind: 'value', type, emit: acc.read };
    const steps: Emit[] = [];
    for (const item of init.namedChildren) {
      if (!item) continue;
      if (item.type === 'assignment_expression') {
        const left = item.childForFieldName('left')!;
        const right = item.childForFieldName('right')!;
        let target: Bound;
        if (left.type === 'identifier') {
          const r = this.member(self, left, left, scope);
          if (r.kind !== 'value' || !r.assign) return this.fail(left, `'${left.text}' cannot be assigned in an initializer.`);
          target = r;
        } else if (left.type === 'element_binding_expression' || left.type === 'bracketed_argument_list' || left.type === 'implicit_element_access') {
          target = this.index(self, left, scope);
          if (!target.assign) return this.fail(left, 'The indexer is read only.');
        } else return this.fail(left, 'Unsupported initializer.');
        const value = this.convert(this.value(right, scope, target.type), target.type, right);
        steps.push(target.assign!(value.emit));
      } else {
        // A collection initializer element: Add(x) or Add(k, v) for `{ k, v }`.
        const elements = item.type === 'initializer_expression' ? item.namedChildren.filter((c): c is Node => !!c) : [item];
        const group: MethodGroup = { kind: 'methods', receiver: self, name: 'Add', node: item };
        const fake = elements.map((e) => ({ node: e, r: this.bind(e, scope) } as BoundArg));
        const found = this.rel.members(type, 'Add', false).filter((f) => f.member.kind === 'method')
          .map((f) => ({ method: f.member as MethodDef, bindings: f.bindings, extension: false }));
        const r = this.calls.resolve(found, fake, undefined, scope, undefined);
        if (!r) return this.fail(item, `'${typeText(type)}' has no Add method taking these ${elements.length} argument(s).`);
        steps.push(this.calls.emitCall(r, group.receiver as Bound, scope).emit);
      }
    }
    const store = acc.write(ctor.emit);
    return { kind: 'value', type, emit: (env) => { const obj = store(env); for (const s of steps) s(env); return obj; } };
  }

  /** `new { a = 1, x.Name }`: a type made for this expression, with read-only properties in order. */
  private anonymousObject(node: Node, scope: Scope): Bound {
    const members: { name: string; value: Bound; node: Node }[] = [];
    const kids = node.namedChildren.filter((c): c is Node => !!c);
    const all = node.children.filter((c): c is Node => !!c);
    for (let i = 0; i < all.length; i++) {
      const c = all[i];
      if (!c.isNamed) continue;
      if (c.type === 'identifier' && all[i + 1]?.type === '=') {
        const valueNode = all[i + 2]!;
        members.push({ name: c.text, value: this.value(valueNode, scope), node: valueNode });
        i += 2;
        continue;
      }
      const name = c.type === 'identifier' ? c.text : c.type === 'member_access_expression' ? c.childForFieldName('name')!.text : undefined;
      if (!name) return this.fail(c, 'Invalid anonymous type member declarator: it must be a member assignment, simple name or member access.');
      members.push({ name, value: this.value(c, scope), node: c });
    }
    void kids;
    for (const m of members) {
      if (m.value.type.name === '<null>' || m.value.type.name === 'Void') return this.fail(m.node, `Cannot assign ${m.value.type.name === 'Void' ? 'void' : '<null>'} to anonymous type property.`);
      if (members.filter((x) => x.name === m.name).length > 1) return this.fail(m.node, `An anonymous type cannot have multiple properties with the same name ('${m.name}').`);
    }
    const name = `AnonymousType${++anonymousTypes}`;
    const instance: Record<string, (o: AnonymousObject) => unknown> = {};
    for (const m of members) instance[`${m.name}: ${typeText(m.value.type)}`] = (o) => o.lookup(m.name) ?? null;
    this.rel.addLocalType(defineType({ name, namespace: '', is: (v) => v instanceof AnonymousObject, instance }));
    const emits = members.map((m) => [m.name, m.value.emit] as const);
    return { kind: 'value', type: t(name), emit: (env) => new AnonymousObject(emits.map(([k, e]) => [k, e(env)] as const)) };
  }

  private arrayCreation(node: Node, scope: Scope): Bound {
    const typeNode = node.childForFieldName('type')!;
    const elem = this.typeOf(typeNode.childForFieldName('type')!);
    const rank = typeNode.childForFieldName('rank');
    const size = rank?.namedChildren.filter((c): c is Node => !!c);
    const init = node.namedChildren.find((c) => c?.type === 'initializer_expression');
    if (size && size.length > 1) return this.fail(rank!, 'Multi-dimensional arrays are not supported.');
    if (init) return this.arrayFrom(elem, init, scope);
    if (!size?.length) return this.fail(node, 'Array creation must have array size or array initializer.');
    const n = this.convert(this.value(size[0], scope), T.int, size[0]).emit;
    const d = this.defaultValue(elem, node);
    return {
      kind: 'value', type: arrayOf(elem),
      emit: (env) => {
        const k = n(env) as number;
        if (k < 0) throw new DotNetException('System.OverflowException', 'Arithmetic operation resulted in an overflow.');
        tick(k);
        return elem.name === 'Byte' ? new Uint8Array(k) : new Array(k).fill(d);
      },
    };
  }

  private arrayFrom(elem: TypeRef, init: Node, scope: Scope): Bound {
    const items = init.namedChildren.filter((c): c is Node => !!c).map((c) => this.convert(this.value(c, scope, elem), elem, c).emit);
    // byte[] is a Uint8Array (what Encoding, Convert and the hash algorithms take and give).
    if (elem.name === 'Byte') return { kind: 'value', type: arrayOf(elem), emit: (env) => Uint8Array.from(items.map((i) => i(env) as number)) };
    return { kind: 'value', type: arrayOf(elem), emit: (env) => items.map((i) => i(env)) };
  }

  private implicitArray(node: Node, scope: Scope): Bound {
    const init = node.namedChildren.find((c) => c?.type === 'initializer_expression');
    const values = (init?.namedChildren ?? []).filter((c): c is Node => !!c).map((c) => this.value(c, scope));
    let elem: TypeRef | undefined = values.find((v) => v.type.name !== '<null>')?.type;
    for (const v of values) if (elem) elem = this.rel.common(elem, v.type) ?? (v.type.name === '<null>' && this.rel.acceptsNull(elem) ? elem : undefined);
    if (!elem) return this.fail(node, 'No best type found for implicitly-typed array.');
    return this.arrayFrom(elem, init!, scope);
  }

}

let anonymousTypes = 0;

const OPERATOR_NAMES: Record<string, string> = {
  '&': 'op_BitwiseAnd', '|': 'op_BitwiseOr', '^': 'op_ExclusiveOr',
  '+': 'op_Addition', '-': 'op_Subtraction', '*': 'op_Multiply', '/': 'op_Division', '%': 'op_Modulus',
  '==': 'op_Equality', '!=': 'op_Inequality', '<': 'op_LessThan', '>': 'op_GreaterThan', '<=': 'op_LessThanOrEqual', '>=': 'op_GreaterThanOrEqual',
};


export type { Bound, ParamDef };

/** Postfix nodes and the field holding what they apply to. */
const POSTFIX_BASE: Record<string, string | undefined> = {
  member_access_expression: 'expression', conditional_access_expression: 'condition',
  invocation_expression: 'function', element_access_expression: 'expression',
};

/** Expressions whose operators bind looser than `?.` (the receivers tree-sitter-c-sharp gets wrong). */
const LOOSER_THAN_POSTFIX: Record<string, true | undefined> = { binary_expression: true, prefix_unary_expression: true, cast_expression: true };

/** The operand an operator expression ends with: `b` of `a + b`, `-b`, `(T)b`. */
function rightmostOperand(n: Node): Node {
  if (n.type === 'binary_expression') return n.childForFieldName('right')!;
  if (n.type === 'cast_expression') return n.childForFieldName('value')!;
  return n.namedChildren[n.namedChildren.length - 1]!;
}

/** Whether `n` is what a postfix node applies to (so not the top of its chain). */
function isChainLink(n: Node): boolean {
  const p = n.parent;
  if (!p) return false;
  const field = POSTFIX_BASE[p.type];
  return !!field && p.childForFieldName(field)?.id === n.id;
}
