// cors: answers preflight requests itself and adds CORS headers to answers for allowed origins.
// Unmatched requests (preflight, or GET/HEAD with an Origin) end with an empty 200 when
// terminate-unmatched-request is true (the default), as API Management does.
import type { PolicyDefinition, Run } from '../policy/types.js';
import { GatewayResponse, type GatewayContext } from '../runtime/context.js';

const list = (node: { children: { name: string; text: string }[] } | undefined, child: string) =>
  (node?.children ?? []).filter((c) => c.name === child).map((c) => c.text.trim());

const cors: PolicyDefinition = {
  name: 'cors',
  sections: ['inbound'],
  schema: {
    attrs: { 'allow-credentials': { type: 'bool', expr: 'pending' }, 'terminate-unmatched-request': { type: 'bool', expr: 'pending' } },
    children: {
      'allowed-origins': { children: { origin: { text: true, min: 1 } }, min: 1, max: 1 },
      // method and preflight-result-max-age allow expressions; origin and header say nothing.
      'allowed-methods': { attrs: { 'preflight-result-max-age': { type: 'int', expr: 'pending' } }, children: { method: { text: true, textExpr: 'pending' } }, max: 1 },
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
    const originSet = new Set(origins.map((o) => o.toLowerCase()));
    const methodsNode = child('allowed-methods');
    const methods = methodsNode ? list(methodsNode, 'method').map((m) => m.toUpperCase()) : ['GET', 'POST'];
    const anyMethod = methods.includes('*');
    const maxAge = methodsNode?.attrs['preflight-result-max-age'];
    const headers = list(child('allowed-headers'), 'header').map((h) => h.toLowerCase());
    const anyHeader = headers.includes('*');
    const expose = list(child('expose-headers'), 'header');
    const credentials = (node.attrs['allow-credentials'] ?? 'false').toLowerCase() === 'true';
    const terminate = (node.attrs['terminate-unmatched-request'] ?? 'true').toLowerCase() === 'true';

    const answer = (ctx: GatewayContext, h: Record<string, string>) => {
      const r = new GatewayResponse(200, h);
      r.body = '';
      ctx.response = r;
      ctx.stopped = true;
    };
    return (ctx) => {
      const origin = ctx.header('origin');
      if (origin === undefined) return;
      const originOk = anyOrigin || originSet.has(origin.toLowerCase());
      const allowOrigin = anyOrigin && !credentials ? '*' : origin;
      const requested = ctx.header('access-control-request-method');
      if (ctx.method === 'OPTIONS' && requested !== undefined) {
        const reqHeaders = (ctx.header('access-control-request-headers') ?? '').split(',').map((h) => h.trim().toLowerCase()).filter(Boolean);
        const ok = originOk && (anyMethod || methods.includes(requested.toUpperCase())) && reqHeaders.every((h) => anyHeader || headers.includes(h));
        if (!ok) { if (terminate) answer(ctx, {}); return; }
        const h: Record<string, string> = {
          'access-control-allow-origin': allowOrigin,
          'access-control-allow-methods': anyMethod ? requested : methods.join(','),
        };
        if (reqHeaders.length) h['access-control-allow-headers'] = reqHeaders.join(',');
        if (credentials) h['access-control-allow-credentials'] = 'true';
        if (maxAge) h['access-control-max-age'] = maxAge;
        if (allowOrigin !== '*') h.vary = 'Origin';
        answer(ctx, h);
        return;
      }
      if (!originOk) {
        if (terminate && (ctx.method === 'GET' || ctx.method === 'HEAD')) answer(ctx, {});
        return;
      }
      const extra = (ctx.extraHeaders ??= []);
      extra.push(['access-control-allow-origin', allowOrigin]);
      if (credentials) extra.push(['access-control-allow-credentials', 'true']);
      if (expose.length) extra.push(['access-control-expose-headers', expose.join(',')]);
      if (allowOrigin !== '*') extra.push(['vary', 'Origin']);
    };
  },
};

export const corsPolicies: PolicyDefinition[] = [cors];
