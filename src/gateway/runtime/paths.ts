// Dot segments (RFC 3986 §5.2.4) resolved in the request path before routing, as API Management does,
// so `/echo/../../admin` can never reach a backend as `/base/../../admin`. Encoded dots (`%2e`) and
// backslashes (`\`, `%5c`, which Windows servers and API Management treat as `/`) count as well: a
// backend that decodes them must not see a climb the gateway did not. A path climbing above the root
// is refused (null), not clamped: no legitimate client sends one.

/** Anything that could make or hide a dot segment; most paths have none and are returned as they are. */
const SUSPECT = /\.\.|\/\.(?:\/|$)|%2e|%5c|\\/i;

export function normalizePath(path: string): string | null {
  if (!SUSPECT.test(path)) return path;
  const plain = path.replace(/%2e/gi, '.').replace(/%5c/gi, '/').replace(/\\/g, '/');
  const segments = plain.split('/');
  const out: string[] = [];
  // segments[0] is '' (the path starts with '/'), or the start of an origin-form-less target: kept.
  for (let i = 1; i < segments.length; i++) {
    const seg = segments[i];
    const last = i === segments.length - 1;
    if (seg === '.') { if (last) out.push(''); continue; }
    if (seg === '..') {
      if (out.length === 0) return null;
      out.pop();
      if (last) out.push('');
      continue;
    }
    out.push(seg);
  }
  return `${segments[0]}/${out.join('/')}`;
}
