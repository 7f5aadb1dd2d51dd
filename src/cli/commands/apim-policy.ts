// `apim-local apim policy set|show|delete`: policy documents at API Management's four scopes (global,
// product, API, operation). az has no command for them; these are apim-local's own. `set` reads the
// document from a file (or --xml-value) and prints the stored policy contract; `show` prints the stored
// XML as is (the contract with --output json). An invalid document fails with the server's
// ValidationError, whose details name the element and its line.
import fs from 'node:fs';
import type { Command } from 'commander';
import { action, parseChoice, withCommonOptions, type CliContext } from '../command.js';
import { CliError, UsageError } from '../errors.js';
import { contractView, get, ifMatchOption, remove, serviceOptions, servicePath, write, type Resource, type ServiceOptions } from './apim-common.js';

const SCOPES = ['global', 'product', 'api', 'operation'] as const;
type Scope = (typeof SCOPES)[number];
const FORMATS = ['rawxml', 'xml'] as const;

interface PolicyOptions extends ServiceOptions { scope?: string; productId?: string; apiId?: string; operationId?: string }

const policyView = (b: Resource): Resource => contractView(b, ['format', 'value']);

function scopeOptions(cmd: Command): Command {
  return serviceOptions(cmd)
    .option('--scope <scope>', `${SCOPES.join(' | ')} (default: from the ids given: --operation-id → operation, --api-id → api, --product-id → product, none → global)`)
    .option('--product-id <id>', 'the product (scope product)')
    .option('--api-id <id>', 'the API (scopes api and operation)')
    .option('--operation-id <id>', 'the operation of --api-id (scope operation)');
}

/** The policy's path for the scope; the ids a scope needs are required, others refused. */
export function policyPath(ctx: CliContext, o: PolicyOptions): string {
  const given = parseChoice('--scope', o.scope, SCOPES);
  const scope: Scope = given ?? (o.operationId !== undefined ? 'operation' : o.apiId !== undefined ? 'api' : o.productId !== undefined ? 'product' : 'global');
  const needs: Record<Scope, (keyof PolicyOptions)[]> = { global: [], product: ['productId'], api: ['apiId'], operation: ['apiId', 'operationId'] };
  const flag = (k: string) => `--${k.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)}`;
  const missing = needs[scope].filter((k) => o[k] === undefined);
  if (missing.length > 0) throw new UsageError(`usage error: --scope ${scope} requires ${missing.map(flag).join(' and ')}`);
  const extra = (['productId', 'apiId', 'operationId'] as const).filter((k) => o[k] !== undefined && !needs[scope].includes(k));
  if (extra.length > 0) throw new UsageError(`usage error: ${extra.map(flag).join(' and ')} cannot be used with --scope ${scope}`);
  switch (scope) {
    case 'global': return servicePath(ctx, o, 'policies', 'policy');
    case 'product': return servicePath(ctx, o, 'products', o.productId!, 'policies', 'policy');
    case 'api': return servicePath(ctx, o, 'apis', o.apiId!, 'policies', 'policy');
    case 'operation': return servicePath(ctx, o, 'apis', o.apiId!, 'operations', o.operationId!, 'policies', 'policy');
  }
}

export function registerApimPolicy(apim: Command): void {
  const policy = apim.command('policy').description("Manage policy documents at the instance's four scopes: global, product, API and operation.");

  withCommonOptions(scopeOptions(policy.command('set').description('Set the policy document of a scope (replacing the one there).')))
    .option('--xml-file <file>', 'the policy document (<policies> with <inbound>, <backend>, <outbound>, <on-error>)')
    .option('--xml-value <xml>', 'the policy document, inline')
    .option('--format <format>', `${FORMATS.join(' | ')}: rawxml (default) takes the document as written; xml expects XML-escaped expressions`)
    .action(action<PolicyOptions & { xmlFile?: string; xmlValue?: string; format?: string }>(async (ctx, o) => {
      if ((o.xmlFile === undefined) === (o.xmlValue === undefined)) throw new UsageError('usage error: specify exactly one: --xml-file FILE, --xml-value XML');
      const format = parseChoice('--format', o.format, FORMATS) ?? 'rawxml';
      const path = policyPath(ctx, o);
      let value = o.xmlValue;
      if (o.xmlFile !== undefined) {
        try {
          value = fs.readFileSync(o.xmlFile, 'utf8');
        } catch (e) {
          throw new CliError(`Cannot read the policy file '${o.xmlFile}': ${(e as { code?: string }).code ?? String(e)}`);
        }
      }
      return { value: policyView(await write(ctx, 'PUT', path, { properties: { format, value } })) };
    }));

  withCommonOptions(scopeOptions(policy.command('show').description('Show the policy document of a scope: the XML as stored (with --output or --query, the policy contract).')), { ownDefaultOutput: true })
    .action(action<PolicyOptions>(async (ctx, o) => {
      const p = await get(ctx, policyPath(ctx, o), { format: 'rawxml' });
      const view = policyView(p);
      if (o.output !== undefined || o.query !== undefined) return { value: view };
      const xml = String(view.value ?? '');
      return { value: view, text: xml.endsWith('\n') ? xml : `${xml}\n` };
    }));

  withCommonOptions(ifMatchOption(scopeOptions(policy.command('delete').description('Delete the policy document of a scope.'))))
    .action(action<PolicyOptions & { ifMatch?: string }>(async (ctx, o) => { await remove(ctx, policyPath(ctx, o), o.ifMatch); }));
}
