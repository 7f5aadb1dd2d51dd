// Binds a parsed `$filter` to a collection's filterable fields and evaluates it against each item.
// A collection says which fields it filters by and, per field, which comparison operators and functions
// it allows (as Azure documents per list operation); anything else is refused before any item is read,
// so an empty collection refuses a bad filter as a full one does. String comparisons and functions
// ignore case, field names too (`properties/displayname` works on Azure: MicrosoftDocs/feedback#3217).
import { ODataFilterError, parseFilter, type ComparisonOp, type FilterExpr, type LiteralValue } from './odata-filter.js';

export type FilterFunction = 'substringof' | 'contains' | 'startswith' | 'endswith' | 'any' | 'all';
export type FieldValue = string | boolean | null | undefined | readonly string[];

export interface FilterField<T> {
  /** `strings` is a collection of strings (named value tags): filtered with any/all. */
  type: 'string' | 'boolean' | 'strings';
  operators: readonly ComparisonOp[];
  functions: readonly FilterFunction[];
  value(item: T): FieldValue;
}

export interface FilterSchema<T> {
  /** The filterable fields by their documented names. */
  fields: Readonly<Record<string, FilterField<T>>>;
  /** Other paths naming a field (`properties/displayName` → `displayName`). */
  aliases?: Readonly<Record<string, string>>;
}

export type FilterPredicate<T> = (item: T) => boolean;

const STRING_FUNCTIONS = ['substringof', 'contains', 'startswith', 'endswith'] as const;
const OPERATOR_KIND: Record<ComparisonOp | 'and' | 'or', string> = {
  eq: 'Equal', ne: 'NotEqual', gt: 'GreaterThan', ge: 'GreaterThanOrEqual', lt: 'LessThan', le: 'LessThanOrEqual', and: 'And', or: 'Or',
};
const MIRROR: Record<ComparisonOp, ComparisonOp> = { eq: 'eq', ne: 'ne', gt: 'lt', ge: 'le', lt: 'gt', le: 'ge' };

/** The binder's messages: Microsoft.OData's where it has one (no position), else ours (with the position). */
export const ODataBindErrors = {
  notSingleValue: (op: ComparisonOp, pos: number) => new ODataFilterError(`The operand for a binary operator '${OPERATOR_KIND[op]}' is not a single value. Binary operators require both operands to be single values.`, pos),
  incompatibleBinary: (left: string, right: string, op: keyof typeof OPERATOR_KIND, pos: number) => new ODataFilterError(`A binary operator with incompatible types was detected. Found operand types '${left}' and '${right}' for operator kind '${OPERATOR_KIND[op]}'.`, pos),
  incompatibleUnary: (type: string, pos: number) => new ODataFilterError(`A unary operator with an incompatible type was detected. Found operand type '${type}' for operator kind 'Not'.`, pos),
  notBoolean: (pos: number) => new ODataFilterError('The $filter expression must evaluate to a single boolean value.', pos),
  noSignature: (fn: string, pos: number) => new ODataFilterError(`No function signature for the function with name '${fn}' matches the specified arguments. The function signatures considered are: ${fn}(Edm.String Nullable=true, Edm.String Nullable=true).`, pos),
  argumentNotSingleValue: (fn: string, pos: number) => new ODataFilterError(`The argument for an invocation of a function with name '${fn}' is not a single value. All arguments for this function must be single values.`, pos),
  // Ours (no Azure text found): the collection's table of fields, operators and functions.
  unknownField: (path: string, fields: string[], pos: number, text: string) => new ODataFilterError(`Filtering by '${path}' is not supported (position ${pos} in '${text}'). Supported fields: ${fields.join(', ')}.`, pos),
  operatorNotSupported: (op: string, field: string, allowed: readonly string[], pos: number, text: string) => new ODataFilterError(`The operator '${op}' is not supported for '${field}' (position ${pos} in '${text}'). Supported operators for '${field}': ${allowed.join(', ') || 'none'}.`, pos),
  functionNotSupported: (fn: string, field: string, allowed: readonly string[], pos: number, text: string) => new ODataFilterError(`The function '${fn}' is not supported for '${field}' (position ${pos} in '${text}'). Supported functions for '${field}': ${allowed.join(', ') || 'none'}.`, pos),
  unknownFunction: (fn: string, pos: number, text: string) => new ODataFilterError(`The function '${fn}' is not supported (position ${pos} in '${text}'). Supported functions: substringof, contains, startswith, endswith, and any/all after a collection field.`, pos),
  comparisonShape: (pos: number, text: string) => new ODataFilterError(`The comparison at position ${pos} in '${text}' must compare a field with a literal value.`, pos),
  functionShape: (fn: string, pos: number, text: string) => new ODataFilterError(`The function '${fn}' at position ${pos} in '${text}' must be called as ${fn === 'substringof' ? "substringof('text', field)" : `${fn}(field, 'text')`}.`, pos),
  notACollection: (fn: string, field: string, pos: number, text: string) => new ODataFilterError(`'${fn}' at position ${pos} in '${text}' applies to a collection field; '${field}' is not one.`, pos),
};

type Vars = Readonly<Record<string, string>>;
type Pred<T> = (item: T, vars: Vars) => boolean;

/** What an expression binds to. `var` is a lambda's range variable: one element of the collection `owner`. */
type Operand<T> =
  | { kind: 'field'; name: string; field: FilterField<T>; pos: number }
  | { kind: 'var'; name: string; owner: string; field: FilterField<T>; pos: number }
  | { kind: 'literal'; value: LiteralValue; edmType: string; pos: number }
  | { kind: 'bool'; pred: Pred<T>; pos: number };

interface Scope<T> { vars: Readonly<Record<string, { owner: string; field: FilterField<T> }>> }

const edmOf = <T>(o: Operand<T>): string => {
  switch (o.kind) {
    case 'literal': return o.edmType;
    case 'bool': return 'Edm.Boolean';
    case 'var': return 'Edm.String';
    case 'field': return o.field.type === 'string' ? 'Edm.String' : o.field.type === 'boolean' ? 'Edm.Boolean' : 'Collection(Edm.String)';
  }
};

const lower = (s: string): string => s.toLowerCase();

function compareValues(v: FieldValue, op: ComparisonOp, lit: LiteralValue): boolean {
  if (v === undefined || v === null || lit === null) {
    const both = (v === undefined || v === null) && lit === null;
    return op === 'eq' ? both : op === 'ne' ? !both : false;
  }
  let a: string | boolean | number;
  let b: string | boolean | number;
  if (typeof v === 'string' && typeof lit === 'string') { a = lower(v); b = lower(lit); } else if (typeof v === 'boolean' && typeof lit === 'boolean') { a = Number(v); b = Number(lit); } else return op === 'ne';
  switch (op) {
    case 'eq': return a === b;
    case 'ne': return a !== b;
    case 'gt': return a > b;
    case 'ge': return a >= b;
    case 'lt': return a < b;
    case 'le': return a <= b;
  }
}

function stringFunction(fn: (typeof STRING_FUNCTIONS)[number], v: FieldValue, lit: LiteralValue): boolean {
  if (typeof v !== 'string' || typeof lit !== 'string') return false;
  const s = lower(v);
  const t = lower(lit);
  return fn === 'startswith' ? s.startsWith(t) : fn === 'endswith' ? s.endsWith(t) : s.includes(t);
}

/**
 * Parses and binds `text` against `schema`: the predicate to keep an item, or an ODataFilterError
 * naming what is wrong and where.
 */
export function compileFilter<T>(text: string, schema: FilterSchema<T>): FilterPredicate<T> {
  const expr = parseFilter(text);
  const names = Object.keys(schema.fields);
  const byPath = new Map<string, string>();
  for (const n of names) byPath.set(lower(n), n);
  for (const [alias, n] of Object.entries(schema.aliases ?? {})) byPath.set(lower(alias), n);

  const valueOf = (o: Operand<T> & { kind: 'field' | 'var' }, item: T, vars: Vars): FieldValue => (o.kind === 'var' ? vars[o.name] : o.field.value(item));
  const ownerOf = (o: Operand<T> & { kind: 'field' | 'var' }): string => (o.kind === 'var' ? o.owner : o.name);

  function resolveField(path: string[], pos: number): { name: string; field: FilterField<T> } {
    const name = byPath.get(lower(path.join('/')));
    if (name === undefined) throw ODataBindErrors.unknownField(path.join('/'), names, pos, text);
    return { name, field: schema.fields[name] };
  }

  function asBool(o: Operand<T>): Pred<T> | undefined {
    if (o.kind === 'bool') return o.pred;
    if (o.kind === 'literal' && typeof o.value === 'boolean') { const v = o.value; return () => v; }
    if (o.kind === 'field' && o.field.type === 'boolean') { const f = o.field; return (item) => f.value(item) === true; }
    return undefined;
  }

  function bind(e: FilterExpr, scope: Scope<T>): Operand<T> {
    switch (e.kind) {
      case 'literal': return { kind: 'literal', value: e.value, edmType: e.edmType, pos: e.pos };
      case 'member': {
        const v = e.path.length === 1 ? scope.vars[e.path[0]] : undefined;
        if (v) return { kind: 'var', name: e.path[0], owner: v.owner, field: v.field, pos: e.pos };
        return { kind: 'field', ...resolveField(e.path, e.pos), pos: e.pos };
      }
      case 'logical': {
        const l = bind(e.left, scope);
        const r = bind(e.right, scope);
        const lp = asBool(l);
        const rp = asBool(r);
        if (!lp || !rp) throw ODataBindErrors.incompatibleBinary(edmOf(l), edmOf(r), e.op, e.pos);
        const pred: Pred<T> = e.op === 'and' ? (i, vs) => lp(i, vs) && rp(i, vs) : (i, vs) => lp(i, vs) || rp(i, vs);
        return { kind: 'bool', pred, pos: e.pos };
      }
      case 'not': {
        const o = bind(e.operand, scope);
        const p = asBool(o);
        if (!p) throw ODataBindErrors.incompatibleUnary(edmOf(o), e.pos);
        return { kind: 'bool', pred: (i, vs) => !p(i, vs), pos: e.pos };
      }
      case 'compare': return { kind: 'bool', pred: bindCompare(e, scope), pos: e.pos };
      case 'call': return { kind: 'bool', pred: bindCall(e, scope), pos: e.pos };
      case 'lambda': return { kind: 'bool', pred: bindLambda(e, scope), pos: e.pos };
    }
  }

  function bindCompare(e: FilterExpr & { kind: 'compare' }, scope: Scope<T>): Pred<T> {
    const l = bind(e.left, scope);
    const r = bind(e.right, scope);
    for (const o of [l, r]) if (o.kind === 'field' && o.field.type === 'strings') throw ODataBindErrors.notSingleValue(e.op, e.pos);
    const fieldLeft = l.kind === 'field' || l.kind === 'var';
    const f = fieldLeft ? l : r;
    const lit = fieldLeft ? r : l;
    if ((f.kind !== 'field' && f.kind !== 'var') || lit.kind !== 'literal') throw ODataBindErrors.comparisonShape(e.pos, text);
    const want = f.kind === 'var' || f.field.type === 'string' ? 'Edm.String' : 'Edm.Boolean';
    if (lit.value !== null && lit.edmType !== want) throw ODataBindErrors.incompatibleBinary(edmOf(l), edmOf(r), e.op, e.pos);
    const owner = ownerOf(f);
    if (!f.field.operators.includes(e.op)) throw ODataBindErrors.operatorNotSupported(e.op, owner, f.field.operators, e.pos, text);
    const op = fieldLeft ? e.op : MIRROR[e.op];
    const value = lit.value;
    return (item, vars) => compareValues(valueOf(f, item, vars), op, value);
  }

  function bindCall(e: FilterExpr & { kind: 'call' }, scope: Scope<T>): Pred<T> {
    const fn = STRING_FUNCTIONS.find((n) => n === lower(e.name));
    if (!fn) throw ODataBindErrors.unknownFunction(e.name, e.pos, text);
    if (e.args.length !== 2) throw ODataBindErrors.noSignature(fn, e.pos);
    const args = e.args.map((a) => bind(a, scope));
    for (const a of args) if (a.kind === 'field' && a.field.type === 'strings') throw ODataBindErrors.argumentNotSingleValue(fn, e.pos);
    for (const a of args) if (!(a.kind === 'literal' && a.value === null) && edmOf(a) !== 'Edm.String') throw ODataBindErrors.noSignature(fn, e.pos);
    const [f, lit] = fn === 'substringof' ? [args[1], args[0]] : [args[0], args[1]];
    if ((f.kind !== 'field' && f.kind !== 'var') || lit.kind !== 'literal') throw ODataBindErrors.functionShape(fn, e.pos, text);
    const owner = ownerOf(f);
    if (!f.field.functions.includes(fn)) throw ODataBindErrors.functionNotSupported(fn, owner, f.field.functions, e.pos, text);
    const value = lit.value;
    return (item, vars) => stringFunction(fn, valueOf(f, item, vars), value);
  }

  function bindLambda(e: FilterExpr & { kind: 'lambda' }, scope: Scope<T>): Pred<T> {
    const { name, field } = resolveField(e.collection, e.pos);
    if (field.type !== 'strings') throw ODataBindErrors.notACollection(e.fn, name, e.pos, text);
    if (!field.functions.includes(e.fn)) throw ODataBindErrors.functionNotSupported(e.fn, name, field.functions, e.pos, text);
    const elements = (item: T): readonly string[] => { const v = field.value(item); return Array.isArray(v) ? v : []; };
    if (e.body === undefined || e.variable === undefined) {
      return e.fn === 'any' ? (item) => elements(item).length > 0 : () => true;
    }
    const variable = e.variable;
    const elementField: FilterField<T> = { ...field, type: 'string', functions: field.functions.filter((f) => f !== 'any' && f !== 'all') };
    const body = bind(e.body, { vars: { ...scope.vars, [variable]: { owner: name, field: elementField } } });
    const p = asBool(body);
    if (!p) throw ODataBindErrors.notBoolean(e.body.pos);
    return e.fn === 'any'
      ? (item, vars) => elements(item).some((x) => p(item, { ...vars, [variable]: x }))
      : (item, vars) => elements(item).every((x) => p(item, { ...vars, [variable]: x }));
  }

  const top = bind(expr, { vars: {} });
  const pred = asBool(top);
  if (!pred) throw ODataBindErrors.notBoolean(expr.pos);
  return (item) => pred(item, {});
}
