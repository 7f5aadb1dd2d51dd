// Routing: the API by the longest path prefix, then the operation by method and URL template
// (`/users/{id}`, `/files/*`, `/files/{*path}`, query-template parameters `?a={a}` that must be present).
//
// A template is a list of tokens (literal, parameter, wildcard). Matching never backtracks: a
// template whose parameters are each followed by `/` or the end (nearly all of them) matches with a
// regular expression that cannot backtrack (`[^/]+` is followed by something it cannot match); any
// other shape (`{name}.{ext}`, a wildcard before more template) matches by a table over tokens and
// path positions, O(tokens × path length), with the regex's captures (each token as long as it can be
// with the rest still matching). Templates with two parameters side by side (`{a}{b}`, `{a}*`) are
// refused: no literal tells where one ends, and API Management refuses them too.
import type { OperationConfig } from '../config.js';

type Token = { kind: 'lit'; text: string } | { kind: 'param'; name: string } | { kind: 'wild'; name: string };

export interface OperationRoute {
  /** Captures in the order of `pathNames` (wildcards without a name are not captured), or null. */
  match(path: string): (string | undefined)[] | null;
  /** Path parameter names, in the order of the captures. */
  pathNames: string[];
  /** Query-template parameters: query key → parameter name. */
  query: [string, string][];
  /** Ordering: more literal characters first, then fewer parameters. */
  literal: number;
  params: number;
}

const escape = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

function tokenize(pathT: string): Token[] {
  const tokens: Token[] = [];
  for (const part of pathT.split(/(\{[^{}]+\}|\*)/)) {
    if (part === '') continue;
    if (part === '*') { tokens.push({ kind: 'wild', name: '' }); continue; }
    const m = /^\{(\*?)([^{}]*)\}$/.exec(part);
    if (m) { tokens.push(m[1] ? { kind: 'wild', name: m[2] } : { kind: 'param', name: m[2] }); continue; }
    tokens.push({ kind: 'lit', text: part });
  }
  return tokens;
}

const show = (t: Token) => (t.kind === 'lit' ? t.text : t.kind === 'param' ? `{${t.name}}` : t.name ? `{*${t.name}}` : '*');

/**
 * Why the gateway refuses a URL template, or undefined: parameters side by side. For the operation PUT
 * (Resource Manager) as well as for the gateway's own compile.
 */
export function urlTemplateProblem(template: string): string | undefined {
  const q = template.indexOf('?');
  const tokens = tokenize(q === -1 ? template : template.slice(0, q));
  for (let i = 1; i < tokens.length; i++) {
    if (tokens[i].kind !== 'lit' && tokens[i - 1].kind !== 'lit') {
      return `Invalid UrlTemplate '${template}': the parameters '${show(tokens[i - 1])}' and '${show(tokens[i])}' are adjacent; a literal must separate them.`;
    }
  }
  return undefined;
}

/** Compiles an operation's URL template; throws an Error (with urlTemplateProblem's message) for a refused one. */
export function compileTemplate(op: OperationConfig): OperationRoute {
  if (typeof op.urlTemplate !== 'string') throw new Error(`urlTemplate is not a string`);
  const t = op.urlTemplate.trim() || '/';
  const problem = urlTemplateProblem(t);
  if (problem) throw new Error(problem);
  const q = t.indexOf('?');
  const pathT = (q === -1 ? t : t.slice(0, q)) || '/';
  const queryT = q === -1 ? '' : t.slice(q + 1);
  const tokens = tokenize(pathT.startsWith('/') ? pathT : `/${pathT}`);
  let literal = 0;
  const pathNames: string[] = [];
  let params = 0;
  for (const tok of tokens) {
    if (tok.kind === 'lit') literal += tok.text.length;
    else { params++; if (tok.name !== '') pathNames.push(tok.name); }
  }
  // The template's trailing '/' is optional in the path (as is any path's).
  const last = tokens[tokens.length - 1];
  if (last?.kind === 'lit' && last.text.endsWith('/')) {
    if (last.text === '/') tokens.pop(); else tokens[tokens.length - 1] = { kind: 'lit', text: last.text.slice(0, -1) };
  }
  const query: [string, string][] = [];
  for (const pair of queryT.split('&').filter(Boolean)) {
    const [k, v = ''] = pair.split('=');
    const m = /^\{([^{}]+)\}$/.exec(v);
    let key = k;
    try { key = decodeURIComponent(k); } catch { /* kept as written */ }
    query.push([key, m ? m[1] : '']);
  }
  return { match: matcher(tokens), pathNames, query, literal, params: params + query.length };
}

function matcher(tokens: Token[]): OperationRoute['match'] {
  const safe = tokens.every((tok, i) => {
    const next = tokens[i + 1];
    if (tok.kind === 'param') return next === undefined || (next.kind === 'lit' && next.text.startsWith('/'));
    if (tok.kind === 'wild') return next === undefined;
    return true;
  });
  if (safe) {
    let re = '';
    for (const tok of tokens) re += tok.kind === 'lit' ? escape(tok.text) : tok.kind === 'param' ? '([^/]+)' : tok.name ? '(.*)' : '.*';
    const regex = new RegExp(`^${re}/?$`, 'i');
    return (path) => {
      const m = regex.exec(path);
      return m === null ? null : m.slice(1);
    };
  }
  const lowered = tokens.map((tok) => (tok.kind === 'lit' ? { ...tok, text: tok.text.toLowerCase() } : tok));
  return (path) => matchTable(lowered, path);
}

/**
 * ok[i][j]: tokens i.. match path[j..] (then an optional '/' and the end); end[i][j]: where token i
 * ends when it starts at j (the longest choice that leaves the rest matching, as a greedy regex would).
 */
function matchTable(tokens: Token[], path: string): (string | undefined)[] | null {
  const n = path.length;
  const lower = path.toLowerCase();
  const T = tokens.length;
  const ok: Uint8Array[] = new Array(T + 1);
  const end: Int32Array[] = new Array(T);
  ok[T] = new Uint8Array(n + 1);
  ok[T][n] = 1;
  if (n > 0 && path.charCodeAt(n - 1) === 47) ok[T][n - 1] = 1;
  // nextSlash[j]: the first '/' at or after j (n when none): a parameter starting at j ends by then.
  const nextSlash = new Int32Array(n + 1);
  nextSlash[n] = n;
  for (let j = n - 1; j >= 0; j--) nextSlash[j] = path.charCodeAt(j) === 47 ? j : nextSlash[j + 1];
  const lastTrue = new Int32Array(n + 1);
  for (let i = T - 1; i >= 0; i--) {
    const tok = tokens[i];
    const next = ok[i + 1];
    const cur = (ok[i] = new Uint8Array(n + 1));
    const e = (end[i] = new Int32Array(n + 1));
    if (tok.kind === 'lit') {
      const len = tok.text.length;
      for (let j = 0; j + len <= n; j++) if (next[j + len] === 1 && lower.startsWith(tok.text, j)) { cur[j] = 1; e[j] = j + len; }
      continue;
    }
    // lastTrue[k]: the largest k' <= k where the rest matches (-1: none).
    let lt = -1;
    for (let k = 0; k <= n; k++) { if (next[k] === 1) lt = k; lastTrue[k] = lt; }
    for (let j = 0; j <= n; j++) {
      const k = tok.kind === 'param' ? lastTrue[nextSlash[j]] : lastTrue[n];
      if (tok.kind === 'param' ? k >= j + 1 : k >= j) { cur[j] = 1; e[j] = k; }
    }
  }
  if (ok[0][0] !== 1) return null;
  const captures: (string | undefined)[] = [];
  let j = 0;
  for (let i = 0; i < T; i++) {
    const k = end[i][j];
    const tok = tokens[i];
    if (tok.kind !== 'lit' && tok.name !== '') captures.push(path.slice(j, k));
    j = k;
  }
  return captures;
}

/** Path parameters from a match, and query-template ones; undefined when there are none, null when the operation does not match. */
export function matchRoute(route: OperationRoute, path: string, rawQuery: string): Record<string, string> | undefined | null {
  const m = route.match(path === '' ? '/' : path);
  if (m === null) return null;
  if (route.pathNames.length === 0 && route.query.length === 0) return undefined;
  const params: Record<string, string> = {};
  for (let i = 0; i < route.pathNames.length; i++) {
    const g = m[i];
    if (g === undefined) continue;
    try { params[route.pathNames[i]] = decodeURIComponent(g); } catch { params[route.pathNames[i]] = g; }
  }
  if (route.query.length > 0) {
    const qs = new URLSearchParams(rawQuery);
    for (const [key, name] of route.query) {
      const v = qs.get(key);
      if (v === null) return null;
      if (name) params[name] = v;
    }
  }
  return params;
}
