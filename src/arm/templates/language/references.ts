// The implicit dependencies of a value: the targets of reference() and list*() calls whose first
// argument ARM can know before deploying (literals, parameters, variables, resourceId, concat, ...).
import { evalExpr, stateFor } from './evaluator.js';
import { isExpression, parseExpression, type Expr } from './expression/parser.js';
import type { EvalScope } from './scope.js';
import { isObject } from './values.js';

function isReadCall(name: string): boolean {
  const n = name.toLowerCase();
  return n === 'reference' || /^list[a-z0-9]*$/.test(n);
}

function collectCalls(e: Expr, out: Expr[]): void {
  switch (e.kind) {
    case 'call':
      if (isReadCall(e.name) && e.args[0]) out.push(e.args[0]);
      e.args.forEach((a) => collectCalls(a, out));
      return;
    case 'property': collectCalls(e.target, out); return;
    case 'index': collectCalls(e.target, out); collectCalls(e.index, out); return;
    default: return;
  }
}

function collectStrings(v: unknown, out: string[]): void {
  if (typeof v === 'string') { if (isExpression(v)) out.push(v); return; }
  if (Array.isArray(v)) { v.forEach((x) => collectStrings(x, out)); return; }
  if (isObject(v)) for (const [k, x] of Object.entries(v)) { if (isExpression(k)) out.push(k); collectStrings(x, out); }
}

/**
 * Resource ids or template resource names given to reference()/list*() in `value` (deduplicated, in
 * order of appearance). Arguments that need a deployed resource to evaluate are skipped.
 */
export async function referencedResources(value: unknown, scope: EvalScope): Promise<string[]> {
  const strings: string[] = [];
  collectStrings(value, strings);
  const found = new Set<string>();
  for (const s of strings) {
    let tree: Expr;
    try { tree = parseExpression(s.slice(1, -1)); } catch { continue; }
    const targets: Expr[] = [];
    collectCalls(tree, targets);
    for (const t of targets) {
      try {
        const v = await evalExpr(t, stateFor(scope, 'static'));
        if (typeof v === 'string' && v !== '') found.add(v);
      } catch { /* not knowable before deployment: no implicit dependency */ }
    }
  }
  return [...found];
}
