// Evaluates template values: walks JSON, evaluates `[...]` strings (and object keys), expands
// property and variable `copy` loops, and resolves parameters()/variables() lazily, once per scope.
// Faults become TemplateErrors carrying the template path, line and column of the string at fault.
import { ExpressionError, Msg, TemplateError } from './errors.js';
import { isExpression, parseExpression, unescapeLiteral, type Expr } from './expression/parser.js';
import { lookupFunction } from './functions/index.js';
import type { FunctionContext } from './functions/types.js';
import { childPath } from './json-reader.js';
import type { EvalScope, Phase } from './scope.js';
import { atLine, locate } from './template.js';
import { findKey, getProperty, isObject, typeName, type JsonObject, type JsonValue } from './values.js';

/** Per-evaluation state that functions reach through FunctionContext. */
export interface EvalState {
  scope: EvalScope;
  phase: Phase;
  copyIndex: Record<string, number>;
  /** Variables being evaluated on this call chain (cycle detection). */
  variableStack: readonly string[];
  /** Overrides parameters() (bindParameters evaluates defaults that read other parameters). */
  parameter?: (name: string) => Promise<JsonValue>;
}

export function stateFor(scope: EvalScope, phase: Phase, extra: Partial<EvalState> = {}): EvalState {
  return { scope, phase, copyIndex: { ...(scope.copyIndex ?? {}) }, variableStack: [], ...extra };
}

/** Evaluates any JSON value with `[...]` strings inside, at deployment time (reference/list allowed). */
export function evaluate(value: unknown, scope: EvalScope, path: string): Promise<unknown> {
  return evaluateValue(value as JsonValue, stateFor(scope, 'runtime'), path);
}

export async function evaluateValue(value: JsonValue, st: EvalState, path: string): Promise<JsonValue> {
  if (typeof value === 'string') return evaluateString(value, st, path);
  if (Array.isArray(value)) {
    const out: JsonValue[] = [];
    for (let i = 0; i < value.length; i++) out.push(await evaluateValue(value[i]!, st, childPath(path, i)));
    return out;
  }
  if (isObject(value)) {
    const out: JsonObject = {};
    for (const [rawKey, v] of Object.entries(value)) {
      const vp = childPath(path, rawKey);
      if (rawKey.toLowerCase() === 'copy' && isPropertyCopy(v)) {
        await expandPropertyCopy(v, st, vp, out);
        continue;
      }
      let key = rawKey;
      if (isExpression(rawKey)) {
        const k = await evaluateString(rawKey, st, vp);
        if (typeof k !== 'string') throw faultAt(st, vp, `The language expression '${rawKey}' used as a property name must evaluate to a string; it evaluated to '${typeName(k)}'.`);
        key = k;
      } else key = unescapeLiteral(rawKey);
      out[key] = await evaluateValue(v, st, vp);
    }
    return out;
  }
  return value;
}

export async function evaluateString(s: string, st: EvalState, path: string): Promise<JsonValue> {
  if (!isExpression(s)) return unescapeLiteral(s);
  try {
    return await evalExpr(parseExpression(s.slice(1, -1)), st);
  } catch (e) {
    if (e instanceof ExpressionError) throw faultAt(st, path, e.message);
    throw e;
  }
}

/** A TemplateError for `detail` at `path`, worded as ARM words faults in that section. */
export function faultAt(st: Pick<EvalState, 'scope'>, path: string, detail: string): TemplateError {
  const t = st.scope.template;
  const pos = t ? locate(t, path) : undefined;
  const m = /^(resources\[\d+\](?:\.resources\[\d+\])*)|^(variables|outputs|parameters)\.([^.[]+)/.exec(path);
  let message = detail;
  const tail = `${detail.endsWith('.') ? detail : `${detail}.`} ${Msg.expressionsHelp}`;
  if (m?.[1]) {
    const decl = t ? declarationAt(t.document, m[1]) : undefined;
    const name = decl ? getProperty(decl, 'name') : undefined;
    message = `The template resource '${typeof name === 'string' ? name : ''}'${atLine(t ? locate(t, m[1]) : undefined)} is not valid: ${tail}`;
  } else if (m?.[2]) {
    const kind = { variables: 'variable', outputs: 'output', parameters: 'parameter' }[m[2] as 'variables' | 'outputs' | 'parameters'];
    message = `The template ${kind} '${m[3]}' is not valid: ${tail}`;
  }
  return new TemplateError({ path, detail, line: pos?.line, column: pos?.column, message });
}

function declarationAt(doc: JsonObject, path: string): JsonObject | undefined {
  let cur: JsonValue | undefined = doc;
  for (const m of path.matchAll(/resources\[(\d+)\]/g)) {
    const list: JsonValue | undefined = isObject(cur) ? getProperty(cur, 'resources') : undefined;
    cur = Array.isArray(list) ? list[Number(m[1])] : undefined;
  }
  return isObject(cur) ? cur : undefined;
}

/** Evaluates a parsed expression (ExpressionErrors propagate). */
export async function evalExpr(e: Expr, st: EvalState): Promise<JsonValue> {
  switch (e.kind) {
    case 'string': case 'int': return e.value;
    case 'property': {
      const target = await evalExpr(e.target, st);
      return property(target, e.name);
    }
    case 'index': {
      const target = await evalExpr(e.target, st);
      const index = await evalExpr(e.index, st);
      if (Array.isArray(target) && typeof index === 'number' && Number.isInteger(index)) {
        if (index < 0 || index >= target.length) throw new ExpressionError(Msg.indexOutOfBounds(index));
        return target[index]!;
      }
      if (isObject(target) && typeof index === 'string') return property(target, index);
      throw new ExpressionError(Msg.indexNotValid(typeName(target)));
    }
    case 'call': {
      const fn = lookupFunction(e.name);
      if (!fn) throw new ExpressionError(Msg.unknownFunction(e.name));
      const ctx = functionContext(st, e.name);
      if (fn.lazy) return fn.call(e.args.map((a) => () => evalExpr(a, st)), ctx);
      const args: JsonValue[] = [];
      for (const a of e.args) args.push(await evalExpr(a, st));
      return fn.call(args, ctx);
    }
  }
}

function property(target: JsonValue, name: string): JsonValue {
  if (!isObject(target)) throw new ExpressionError(Msg.propertyOnNonObject(name, typeName(target)));
  const key = findKey(target, name);
  if (key === undefined) throw new ExpressionError(Msg.propertyMissing(name, Object.keys(target)));
  return target[key]!;
}

function functionContext(st: EvalState, name: string): FunctionContext {
  return {
    scope: st.scope, phase: st.phase, copyIndex: st.copyIndex, name,
    parameter: (n) => (st.parameter ? st.parameter(n) : Promise.resolve(parameterValue(st.scope, n))),
    variable: (n) => variableValue(st, n),
  };
}

function parameterValue(scope: EvalScope, name: string): JsonValue {
  const key = findKey(scope.parameters, name);
  if (key === undefined) throw new ExpressionError(Msg.parameterNotFound(name));
  return scope.parameters[key] as JsonValue;
}

// Variables are evaluated once per (variables, parameters) pair: scopes derived for copy loops share them.
const variableMemo = new WeakMap<object, WeakMap<object, Map<string, Promise<JsonValue>>>>();

async function variableValue(st: EvalState, name: string): Promise<JsonValue> {
  const { scope } = st;
  const vars = scope.variables as JsonObject;
  const copyList = getProperty(vars, 'copy');
  const key = findKey(vars, name);
  const copyEntry = Array.isArray(copyList)
    ? copyList.find((c): c is JsonObject => isObject(c) && typeof c.name === 'string' && c.name.toLowerCase() === name.toLowerCase())
    : undefined;
  if ((key === undefined || key.toLowerCase() === 'copy') && !copyEntry) throw new ExpressionError(Msg.variableNotFound(name));
  const canonical = (copyEntry?.name as string | undefined) ?? key!;
  if (st.variableStack.some((n) => n.toLowerCase() === canonical.toLowerCase())) {
    throw new ExpressionError(Msg.variableCycle([...st.variableStack.slice(st.variableStack.findIndex((n) => n.toLowerCase() === canonical.toLowerCase())), canonical]));
  }
  let byParams = variableMemo.get(vars);
  if (!byParams) { byParams = new WeakMap(); variableMemo.set(vars, byParams); }
  let memo = byParams.get(scope.parameters);
  if (!memo) { memo = new Map(); byParams.set(scope.parameters, memo); }
  const memoKey = canonical.toLowerCase();
  let p = memo.get(memoKey);
  if (!p) {
    const inner: EvalState = { scope, phase: 'variable', copyIndex: {}, variableStack: [...st.variableStack, canonical], parameter: st.parameter };
    if (copyEntry) {
      const i = (copyList as JsonValue[]).indexOf(copyEntry);
      p = evaluateCopy(copyEntry, inner, `variables.copy[${i}]`).then((items) => items as JsonValue);
    } else {
      p = evaluateValue(vars[key!]!, inner, childPath('variables', key!));
    }
    memo.set(memoKey, p);
    p.catch(() => memo!.delete(memoKey));
  }
  return p;
}

export const MAX_COPY = 800;

/** A `copy` element of variables/properties: {name, count, input}; returns the array of inputs. */
export async function evaluateCopy(c: JsonObject, st: EvalState, path: string): Promise<JsonValue[]> {
  const name = getProperty(c, 'name');
  if (typeof name !== 'string' || name === '') throw faultAt(st, path, "The copy property 'name' must be a non-empty string.");
  const count = await evaluateValue(getProperty(c, 'count') ?? null, { ...st, phase: st.phase === 'runtime' ? 'static' : st.phase }, childPath(path, 'count'));
  if (typeof count !== 'number' || !Number.isInteger(count) || count < 0 || count > MAX_COPY) {
    throw faultAt(st, childPath(path, 'count'), `The copy count must be a non-negative integer not greater than '${MAX_COPY}'; the value is '${JSON.stringify(count)}'.`);
  }
  const input = getProperty(c, 'input');
  if (input === undefined) throw faultAt(st, path, `The copy '${name}' is missing required property 'input'.`);
  const out: JsonValue[] = [];
  for (let i = 0; i < count; i++) {
    out.push(await evaluateValue(input, { ...st, copyIndex: { ...st.copyIndex, [name]: i } }, childPath(path, 'input')));
  }
  return out;
}

function isPropertyCopy(v: JsonValue): v is JsonObject[] {
  return Array.isArray(v) && v.length > 0 && v.every((c) => isObject(c) && 'name' in c && 'input' in c);
}

async function expandPropertyCopy(list: JsonObject[], st: EvalState, path: string, out: JsonObject): Promise<void> {
  for (let i = 0; i < list.length; i++) {
    const c = list[i]!;
    out[c.name as string] = await evaluateCopy(c, st, childPath(path, i));
  }
}
