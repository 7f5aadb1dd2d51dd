// The fused header lookup (compile/fast-paths.ts): `Headers.GetValueOrDefault("name", "default")` with
// constant arguments compiles to one read of the header bag, and on `context.Request` runs without an
// evaluation frame. Each shape here gives what the general call gives (the same call with its name
// taken from a variable, which is never fused): values, defaults, nulls, errors.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { BudgetExceeded, DotNetException, compileExpression, type Expect } from '../../../src/gateway/expressions/index.js';
import { Compiler } from '../../../src/gateway/expressions/compile/compiler.js';
import { parseExpression } from '../../../src/gateway/expressions/syntax.js';
import { Surface } from '../../../src/gateway/expressions/surface/index.js';
import { coreTypes } from '../../../src/gateway/expressions/surface/core.js';
import { CONTEXT_TYPE, contextTypes } from '../../../src/gateway/expressions/surface/context.js';
import { certificateTypes } from '../../../src/gateway/expressions/surface/certificates.js';
import { GatewayContext, GatewayResponse } from '../../../src/gateway/runtime/context.js';
import type { IncomingMessage, ServerResponse } from 'node:http';

const SURFACE = Surface.of(coreTypes, contextTypes, certificateTypes);

/** Whether the compiler fused the expression into a frameless read of the context (Bound.direct). */
function isDirect(text: string): boolean {
  const parsed = parseExpression(text);
  try {
    return new Compiler(SURFACE, { contextType: CONTEXT_TYPE, position: parsed.position }).expression(parsed.root).direct !== undefined;
  } finally {
    parsed.dispose();
  }
}

/** Request headers as node keeps them, plus what policies and odd clients leave in the bag. */
function context(): GatewayContext {
  const headers = {
    host: 'gw.example', 'x-one': '1', 'x-many': ['a', 'b', 'c'], 'x-blank': '', 'x-none': [] as string[],
    'X-Mixed': 'exact', 'x-undefined': undefined,
  };
  const req = { method: 'GET', url: '/a?x=1', headers, socket: { remoteAddress: '127.0.0.1' }, once() {} } as unknown as IncomingMessage;
  const ctx = new GatewayContext(req, { once() {} } as unknown as ServerResponse, true);
  // A backend response as undici gives it (raw name/value pairs, a repeated header), read lazily.
  const raw = ['X-Up', 'v1', 'x-up', 'v2', 'Content-Type', 'text/plain'].map((s) => Buffer.from(s, 'latin1'));
  ctx.response = new GatewayResponse(200, undefined, raw);
  ctx.variables.set('side', new GatewayResponse(201, { 'x-side': ['s1', 's2'] }));
  ctx.variables.set('nothing', null);
  return ctx;
}

type Outcome = { value: unknown } | { error: string };
function outcome(text: string, expect: Expect, ctx: GatewayContext): Outcome {
  try {
    return { value: compileExpression(text, expect).run(ctx) };
  } catch (e) {
    if (e instanceof DotNetException) return { error: `${e.type}: ${e.message}` };
    throw e;
  }
}

const NAMES = ['x-one', 'X-ONE', 'x-many', 'x-blank', 'x-none', 'x-missing', 'X-Mixed', 'x-mixed', 'x-undefined',
  'x-up', 'constructor', '__proto__', 'toString', ''];
const DEFAULTS = ['"d"', '""', 'null'];
const RECEIVERS = ['context.Request', 'context.Response', '((IResponse)context.Variables["side"])', '((IResponse)context.Variables["nothing"])'];

test('a constant header lookup gives what the general call gives (names, cases, repeated values, defaults, null receivers)', () => {
  let rows = 0;
  for (const recv of RECEIVERS) {
    for (const name of NAMES) {
      for (const dflt of DEFAULTS) {
        const fused = `${recv}.Headers.GetValueOrDefault("${name}", ${dflt})`;
        const general = `{ var n = "${name}"; return ${recv}.Headers.GetValueOrDefault(n, ${dflt}); }`;
        for (const expect of dflt === 'null' ? ['string', 'object'] as const : ['string'] as const) {
          const ctx = context();
          assert.deepEqual(outcome(`@(${fused})`, expect, ctx), outcome(`@${general}`, expect, ctx), `${fused} as ${expect}`);
          rows++;
        }
      }
    }
  }
  assert.equal(rows, RECEIVERS.length * NAMES.length * (DEFAULTS.length + 1));
});

test('the expected values, spelled out', () => {
  const ctx = context();
  const get = (src: string, expect: Expect = 'string') => compileExpression(src, expect).run(ctx);
  const h = (name: string, dflt = '"d"') => `@(context.Request.Headers.GetValueOrDefault("${name}", ${dflt}))`;
  assert.equal(get(h('x-one')), '1');
  assert.equal(get(h('X-ONE')), '1', 'names ignore case');
  assert.equal(get(h('x-many')), 'a,b,c', 'repeated values joined with a comma, as APIM joins them');
  assert.equal(get(h('x-blank')), '');
  assert.equal(get(h('x-none')), '');
  assert.equal(get(h('x-missing')), 'd');
  assert.equal(get(h('x-missing', 'null')), '', 'a null result is empty text');
  assert.equal(get(h('x-missing', 'null'), 'object'), null, 'and null as a value');
  assert.equal(get(h('x-undefined')), 'd');
  assert.equal(get(h('X-Mixed')), 'exact');
  for (const inherited of ['constructor', '__proto__', 'toString', 'hasOwnProperty']) assert.equal(get(h(inherited)), 'd', inherited);
  assert.equal(get('@(context.Response.Headers.GetValueOrDefault("x-up", "d"))'), 'v1,v2');
  assert.equal(get('@(context.Response.Headers.GetValueOrDefault("content-type", "d"))'), 'text/plain');
  assert.equal(get('@(((IResponse)context.Variables["side"]).Headers.GetValueOrDefault("X-Side", "d"))'), 's1,s2');
  assert.throws(() => get('@(((IResponse)context.Variables["nothing"]).Headers.GetValueOrDefault("a", "d"))'),
    (e: unknown) => e instanceof DotNetException && e.type === 'System.NullReferenceException');
  assert.equal(get('@(context.Request.Headers.GetValueOrDefault("x-one", "") == "1")', 'bool'), true);
});

test('the lookup reads the live bag: a header a policy set, appended to or deleted is seen by the next call', () => {
  const ctx = context();
  const x = compileExpression('@(context.Request.Headers.GetValueOrDefault("x-set", "none"))', 'string');
  assert.equal(x.run(ctx), 'none');
  ctx.headers['x-set'] = 'first';
  assert.equal(x.run(ctx), 'first');
  ctx.headers['x-set'] = ['first', 'second'];
  assert.equal(x.run(ctx), 'first,second');
  delete ctx.headers['x-set'];
  assert.equal(x.run(ctx), 'none');
  const r = compileExpression('@(context.Response.Headers.GetValueOrDefault("x-up", "none"))', 'string');
  assert.equal(r.run(ctx), 'v1,v2');
  ctx.response = new GatewayResponse(404, { 'x-up': 'replaced' });
  assert.equal(r.run(ctx), 'replaced', 'a response replaced by a policy');
});

test('which shapes are fused into a frameless read, and which keep the general call', () => {
  // On context.Request with constant arguments (the default may be null): no Env, no evaluation frame.
  assert.equal(isDirect('@(context.Request.Headers.GetValueOrDefault("x-source", "none"))'), true);
  assert.equal(isDirect('@(context.Request.Headers.GetValueOrDefault("X-Source", null))'), true);
  assert.equal(isDirect('@(context.Request.Headers.GetValueOrDefault(defaultValue: "none", key: "x-source"))'), true, 'named arguments');
  // Fused, but read through the general frame (the receiver is not the context itself).
  assert.equal(isDirect('@(context.Response.Headers.GetValueOrDefault("x-source", "none"))'), false);
  // Not fused: an argument known only at run time, a `?.` chain, the query (not a header bag), another method.
  assert.equal(isDirect('@(context.Request.Headers.GetValueOrDefault(context.Request.Method, "none"))'), false);
  assert.equal(isDirect('@(context.Request.Headers.GetValueOrDefault("x", context.Request.Method))'), false);
  assert.equal(isDirect('@(context.Request?.Headers.GetValueOrDefault("x", "none"))'), false);
  assert.equal(isDirect('@(context.Request.Headers?.GetValueOrDefault("x", "none"))'), false);
  assert.equal(isDirect('@(context.Request.Url.Query.GetValueOrDefault("x", "none"))'), false);
  assert.equal(isDirect('@(context.Request.Headers.ContainsKey("x"))'), false);
  assert.equal(isDirect('@(context.Request.Headers.GetValueOrDefault("x", "") + Enumerable.Range(0, 3).Count())'), false);
});

test('a fused lookup inside a runaway expression does not lift its step budget', () => {
  assert.throws(() => compileExpression('@(context.Request.Headers.GetValueOrDefault("x-one", "") + Enumerable.Range(0, int.MaxValue).Count())', 'string').run(context()), BudgetExceeded);
  assert.throws(() => compileExpression('@{ var s = context.Request.Headers.GetValueOrDefault("x-one", ""); while (true) { s = context.Request.Headers.GetValueOrDefault("x-one", ""); } return s; }', 'string').run(context()), BudgetExceeded);
});
