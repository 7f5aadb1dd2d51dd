// What the content validation policies share (Microsoft Learn, "API Management validation policies":
// Actions, Validation errors): the actions ignore | detect | prevent; errors in APIM's shape
// {Name, Type, ValidationRule, Details, Action} appended to `errors-variable-name`; and `prevent`
// stopping the call: 400 in inbound, 502 when a response is validated (outbound, on-error), the client
// told the public message, context.LastError the details.
import { PolicyError, apimBody, type Section } from '../../policy/types.js';
import type { GatewayContext } from '../../runtime/context.js';
import { AnonymousObject } from '../../expressions/dotnet/anonymous.js';
import { List } from '../../expressions/dotnet/collections.js';

export const ACTIONS = ['ignore', 'prevent', 'detect'] as const;
export type Action = (typeof ACTIONS)[number];

/** One validation error (APIM's validation error object, with the message the client is told). */
export interface Issue {
  name: string;
  type: string;
  rule: string;
  details: string;
  /** The public response; for anything about a response it is always INTERNAL. */
  public: string;
  action: Action;
}

export const INTERNAL = 'The request could not be processed due to an internal error. Contact the API owner.';

/** Whether the policy checks the response (outbound, on-error) rather than the request. */
export const checksResponse = (section: Section): boolean => section === 'outbound' || section === 'on-error';

/**
 * Reports the issues a policy found: those not ignored go to the errors variable (a list, appended to
 * across policies); the first with `prevent` stops the call.
 */
export function report(ctx: GatewayContext, policy: string, issues: Issue[], errorsVariable: string | undefined): void {
  const kept = issues.filter((i) => i.action !== 'ignore');
  if (kept.length === 0) return;
  if (errorsVariable) {
    // Objects expressions can read and serialize (JsonConvert.SerializeObject gives APIM's JSON).
    const prev = ctx.variables.get(errorsVariable);
    const list = prev instanceof List ? prev : new List<unknown>();
    for (const i of kept) {
      list.push(new AnonymousObject([['Name', i.name], ['Type', i.type], ['ValidationRule', i.rule], ['Details', i.details], ['Action', i.action]]));
    }
    ctx.variables.set(errorsVariable, list);
  }
  const blocking = kept.find((i) => i.action === 'prevent');
  if (!blocking) return;
  const response = checksResponse(ctx.section);
  const status = response ? 502 : 400;
  const err = new PolicyError(response ? 'Response not allowed' : 'Bad request', blocking.details,
    { status, headers: { 'content-type': 'application/json' }, body: apimBody(status, response ? INTERNAL : blocking.public) });
  err.source = policy;
  throw err;
}
