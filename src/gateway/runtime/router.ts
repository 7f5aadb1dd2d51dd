// Routing: the API by the longest path prefix, then the operation by method and URL template
// (`/users/{id}`, `/files/*`, query-template parameters `?a={a}` that must be present).
import type { OperationConfig } from '../config.js';

export interface OperationRoute {
  regex: RegExp;
  /** Path parameter names, in the order of the regex's groups. */
  pathNames: string[];
  /** Query-template parameters: query key → parameter name. */
  query: [string, string][];
  /** Ordering: more literal characters first, then fewer parameters. */
  literal: number;
  params: number;
}

const escape = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

export function compileTemplate(op: OperationConfig): OperationRoute {
  const t = op.urlTemplate.trim() || '/';
  const q = t.indexOf('?');
  const pathT = (q === -1 ? t : t.slice(0, q)) || '/';
  const queryT = q === -1 ? '' : t.slice(q + 1);
  const pathNames: string[] = [];
  let literal = 0;
  let re = '';
  const normalized = pathT.startsWith('/') ? pathT : `/${pathT}`;
  for (const part of normalized.split(/(\{[^{}]+\}|\*)/)) {
    if (part === '*') { re += '.*'; pathNames.push(''); continue; }
    const m = /^\{\*?([^{}]+)\}$/.exec(part);
    if (m) {
      const wildcard = part.startsWith('{*');
      pathNames.push(m[1]);
      re += wildcard ? '(.*)' : '([^/]+)';
      continue;
    }
    literal += part.length;
    re += escape(part);
  }
  re = re.replace(/\/$/, '');
  const query: [string, string][] = [];
  for (const pair of queryT.split('&').filter(Boolean)) {
    const [k, v = ''] = pair.split('=');
    const m = /^\{([^{}]+)\}$/.exec(v);
    query.push([decodeURIComponent(k), m ? m[1] : '']);
  }
  return { regex: new RegExp(`^${re}/?$`, 'i'), pathNames: pathNames.filter((n) => n !== ''), query, literal, params: pathNames.length + query.length };
}

/** Path parameters from a match, and query-template ones; undefined when the operation does not match. */
export function matchRoute(route: OperationRoute, path: string, rawQuery: string): Record<string, string> | undefined | null {
  const m = route.regex.exec(path === '' ? '/' : path);
  if (!m) return null;
  if (route.pathNames.length === 0 && route.query.length === 0) return undefined;
  const params: Record<string, string> = {};
  for (let i = 0; i < route.pathNames.length; i++) {
    const g = m[i + 1];
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
