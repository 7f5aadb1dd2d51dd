// cors: answers preflight requests itself and adds CORS headers to answers for allowed origins.
// Unmatched requests (preflight, or GET/HEAD with an Origin) end with an empty 200 when
// terminate-unmatched-request is true (the default), as API Management does.
//
// A preflight (OPTIONS with Origin and Access-Control-Request-Method) that matches no operation is
// handled by the router with only the cors policies that are direct children of inbound
// (ctx.preflight): "Only the cors policy is evaluated on the OPTIONS request during preflight". One that
// matches an OPTIONS operation goes to that operation, where cors's preflight logic does not run
// (Microsoft Learn, "cors" policy reference page). Origins are compared as URIs: scheme, host and port,
// the default port and a trailing slash implied (`http://example.com/` allows `http://example.com`).
import { fixed, type PolicyDefinition, type Run, type Value } from '../policy/types.js';
import { bool, intAtLeast } from '../policy/parse.js';
import { GatewayResponse, type GatewayContext } from '../runtime/context.js';

const list = (node: { children: { name: string; text: string }[] } | undefined, child: string) =>
  (node?.children ?? []).filter((c) => c.name === child).map((c) => c.text.trim());

interface Methods { list: string[]; any: boolean }

/** An origin as a URI's scheme://host[:port] (lower-cased, default port dropped); text that is not a URI as it is, lower-cased. */
export function originKey(origin: string): string {
  const t = origin.trim();
  try {
    const o = new URL(t).origin;
    if (o !== 'null') return o.toLowerCase();
  } catch { /* not a URI: compared as text */ }
  return t.toLowerCase();
}

/** The allowed methods (GET and POST when none are given): precomputed when constant, else per request. */
function methodList(values: Value[] | undefined): (ctx: GatewayContext) => Methods {
  const of = (names: string[]): Methods => { const list = names.map((m) => m.trim().toUpperCase()); return { list, any: list.includes('*') }; };
  if (values === undefined) { const fixed = of(['GET', 'POST']); return () => fixed; }
  if (values.every((v) => v.constant !== undefined)) { const fixed = of(values.map((v) => v.constant!)); return () => fixed; }
  return (ctx) => of(values.map((v) => v(ctx)));
}

const cors: PolicyDefinition = {
  name: 'cors',
  sections: ['inbound'],
  schema: {
    attrs: { 'allow-credentials': { type: 'bool', expr: true }, 'terminate-unmatched-request': { type: 'bool', expr: true } },
    children: {
      'allowed-origins': { children: { origin: { text: true, min: 1 } }, min: 1, max: 1 },
      // method and preflight-result-max-age allow expressions; origin and header say nothing.
      'allowed-methods': { attrs: { 'preflight-result-max-age': { type: 'int', expr: true } }, children: { method: { text: true, textExpr: true } }, max: 1 },
      'allowed-headers': { children: { header: { text: true } }, max: 1 },
      'expose-headers': { children: { header: { text: true } }, max: 1 },
    },
  },
  check(node) {
    const origins = list(node.children.find((c) => c.name === 'allowed-origins'), 'origin');
    if ((node.attrs['allow-credentials'] ?? '').toLowerCase() === 'true' && origins.includes('*')) {
      return `The 'allow-credentials' attribute cannot be true when 'allowed-origins' contains '*'.`;
    }
    return undefined;
  },
  compile(node, c): Run {
    const child = (n: string) => node.children.find((ch) => ch.name === n);
    const origins = list(child('allowed-origins'), 'origin').map((o) => c.value(o).constant!);
    const anyOrigin = origins.includes('*');
    const originSet = new Set(origins.map(originKey));
    const methodsNode = child('allowed-methods');
    const methods = methodList(methodsNode ? methodsNode.children.filter((m) => m.name === 'method').map((m) => c.value(m.text)) : undefined);
    const maxAge = methodsNode ? c.read(methodsNode, 'preflight-result-max-age', intAtLeast(0, 'preflight-result-max-age')) : undefined;
    const headers = list(child('allowed-headers'), 'header').map((h) => h.toLowerCase());
    const anyHeader = headers.includes('*');
    const expose = list(child('expose-headers'), 'header');
    const credentials = c.read(node, 'allow-credentials', bool) ?? fixed(false);
    const terminate = c.read(node, 'terminate-unmatched-request', bool) ?? fixed(true);

    const answer = (ctx: GatewayContext, h: Record<string, string>) => {
      const r = new GatewayResponse(200, h);
      r.body = '';
      ctx.response = r;
      ctx.stopped = true;
    };
    return (ctx) => {
      const origin = ctx.header('origin');
      if (origin === undefined) return;
      const originOk = anyOrigin || originSet.has(originKey(origin));
      const withCredentials = credentials(ctx);
      const allowOrigin = anyOrigin && !withCredentials ? '*' : origin;
      const requested = ctx.header('access-control-request-method');
      if (ctx.preflight && requested !== undefined) {
        const m = methods(ctx);
        const reqHeaders = (ctx.header('access-control-request-headers') ?? '').split(',').map((h) => h.trim().toLowerCase()).filter(Boolean);
        const ok = originOk && (m.any || m.list.includes(requested.toUpperCase())) && reqHeaders.every((h) => anyHeader || headers.includes(h));
        const age = maxAge?.(ctx);
        // Not matched and not terminated: the next cors policy in inbound decides (the router answers an
        // empty 200 when none does).
        if (!ok) { if (terminate(ctx)) answer(ctx, {}); return; }
        const h: Record<string, string> = {
          'access-control-allow-origin': allowOrigin,
          'access-control-allow-methods': m.any ? requested : m.list.join(','),
        };
        if (reqHeaders.length) h['access-control-allow-headers'] = reqHeaders.join(',');
        if (withCredentials) h['access-control-allow-credentials'] = 'true';
        if (age !== undefined) h['access-control-max-age'] = String(age);
        if (allowOrigin !== '*') h.vary = 'Origin';
        answer(ctx, h);
        return;
      }
      if (!originOk) {
        if ((ctx.method === 'GET' || ctx.method === 'HEAD') && terminate(ctx)) answer(ctx, {});
        return;
      }
      const extra = (ctx.extraHeaders ??= []);
      extra.push(['access-control-allow-origin', allowOrigin]);
      if (withCredentials) extra.push(['access-control-allow-credentials', 'true']);
      if (expose.length) extra.push(['access-control-expose-headers', expose.join(',')]);
      if (allowOrigin !== '*') extra.push(['vary', 'Origin']);
    };
  },
};

export const corsPolicies: PolicyDefinition[] = [cors];
