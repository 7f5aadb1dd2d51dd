// emit-metric (Microsoft Learn, "Emit custom metrics"): a named value (a double, default 1) in a
// namespace (default "API Management") with up to 10 dimensions, added to the gateway's metrics (exposed
// in Prometheus format on the management listener: runtime/metrics.ts). A dimension without a value
// must be one of the default dimensions, whose value the gateway supplies.
import { PolicyError, type PolicyDefinition, type Run, type Value } from '../policy/types.js';
import { isExpression } from '../policy/values.js';
import type { GatewayContext } from '../runtime/context.js';
import type { InstanceServices } from '../runtime/services.js';

const DEFAULT_NAMESPACE = 'API Management';
const MAX_DIMENSIONS = 10;
/** The managed gateway's id, as API Management names it in metrics. */
export const GATEWAY_ID = 'managed';

/** The default dimensions ("Default dimension names that may be used without value"), by lower-cased name. */
const DEFAULTS: Record<string, (ctx: GatewayContext, s: InstanceServices) => string> = {
  'api id': (ctx) => ctx.api?.name ?? '',
  'operation id': (ctx) => ctx.operation?.name ?? '',
  'product id': (ctx) => ctx.productName,
  'user id': (ctx) => ctx.subscription?.ownerId ?? '',
  'subscription id': (ctx) => ctx.subscription?.name ?? '',
  location: (_ctx, s) => s.location ?? '',
  'gateway id': () => GATEWAY_ID,
};

/** .NET's Double.Parse (invariant culture): a decimal or exponent number; NaN and infinities refused. */
function double(text: string): number | undefined {
  const t = text.trim();
  if (!/^[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?$/.test(t)) return undefined;
  const n = Number(t);
  return Number.isFinite(n) ? n : undefined;
}

const emitMetric: PolicyDefinition = {
  name: 'emit-metric',
  sections: ['inbound', 'outbound', 'backend', 'on-error'],
  schema: {
    attrs: { name: { required: true }, namespace: {}, value: { expr: true } },
    children: { dimension: { attrs: { name: { required: true, expr: true }, value: { expr: true } }, min: 1, max: MAX_DIMENSIONS } },
  },
  check(node) {
    if ((node.attrs.name ?? '').trim() === '') return `The 'name' attribute must not be empty.`;
    const v = node.attrs.value;
    if (v !== undefined && !isExpression(v) && !v.includes('{{') && double(v) === undefined) return `The 'value' attribute has an invalid value '${v}': a number (double) is expected.`;
    for (const d of node.children) {
      const n = d.attrs.name ?? '';
      if (d.attrs.value === undefined && !isExpression(n) && !(n.trim().toLowerCase() in DEFAULTS)) {
        return { node: d, message: `The dimension '${n}' has no 'value': only the default dimensions (API ID, Operation ID, Product ID, User ID, Subscription ID, Location, Gateway ID) may omit it.` };
      }
    }
    return undefined;
  },
  compile(node, c): Run {
    const name = c.attr(node, 'name')!.constant!;
    const namespace = c.attr(node, 'namespace')?.constant ?? DEFAULT_NAMESPACE;
    const value = c.attr(node, 'value');
    const dims = node.children.map((d): [Value, ((ctx: GatewayContext) => string)] => {
      const dn = c.attr(d, 'name')!;
      const dv = c.attr(d, 'value');
      if (dv) return [dn, dv];
      // Default dimension: the gateway's value for the name (an expression name is looked up per call).
      return [dn, (ctx) => (DEFAULTS[dn(ctx).trim().toLowerCase()] ?? (() => ''))(ctx, c.services)];
    });
    const fixedValue = value === undefined ? 1 : value.constant !== undefined ? double(value.constant) : undefined;
    return (ctx) => {
      const metrics = c.services.metrics;
      let v = fixedValue;
      if (v === undefined) {
        const text = value!(ctx);
        v = double(text);
        if (v === undefined) throw new PolicyError('ExpressionValueEvaluationFailure', `Expression evaluation failed. The value '${text}' of 'value' is not a number (double).`);
      }
      if (!metrics) return;
      metrics.emit(ctx.instanceId, namespace, name, v, dims.map(([n, dv]) => [n(ctx), dv(ctx)] as const));
    };
  },
};

export const metricPolicies: PolicyDefinition[] = [emitMetric];
