// `apim-local apim nv create|show|list|update|delete|show-secret|refresh`: named values (az apim nv ...):
// plain, secret (hidden by show and list, revealed by show-secret) and, beyond az, Key Vault named
// values (--key-vault-secret-id, read with the instance's system-assigned identity or the user-assigned
// one of --identity-client-id); `refresh` reads the secret again (refreshSecret) and prints the named
// value with keyVault.lastStatus.
import type { Command } from 'commander';
import { action, parseThreeState, withCommonOptions, type CliContext } from '../command.js';
import { UsageError } from '../errors.js';
import {
  confirmed, contractView, create, get, ifMatchOption, list, post, pyDateTime, remove, serviceOptions, servicePath, write,
  type Resource, type ServiceOptions,
} from './apim-common.js';

const NV_FIELDS = ['displayName', 'keyVault', 'provisioningState', 'secret', 'tags', 'value'] as const;

/** NamedValueContract as az prints it; keyVault as KeyVaultContractProperties (lastStatus's time as a Python datetime). */
function nvView(b: Resource): Resource {
  const out = contractView(b, NV_FIELDS);
  const kv = out.keyVault as Resource | null;
  if (kv) {
    const s = kv.lastStatus as Resource | undefined | null;
    out.keyVault = {
      identityClientId: kv.identityClientId ?? null,
      lastStatus: s ? { code: s.code ?? null, message: s.message ?? null, timeStampUtc: pyDateTime(s.timeStampUtc) } : null,
      secretIdentifier: kv.secretIdentifier ?? null,
    };
  }
  return out;
}

interface NvOptions extends ServiceOptions { namedValueId: string }
interface ValueOptions { value?: string; secret?: string | boolean; tags?: string[]; keyVaultSecretId?: string; identityClientId?: string; displayName?: string }

const nvPath = (ctx: CliContext, o: NvOptions, ...rest: string[]) => servicePath(ctx, o, 'namedValues', o.namedValueId, ...rest);

/** `--tags a b`: the named value's tags (a list of strings); a single "" clears them. */
const tagList = (values: string[] | undefined): string[] | undefined => values?.filter((t) => t !== '');

function valueOptions(cmd: Command): Command {
  return cmd
    .option('--value <value>', 'the value (may hold policy expressions)')
    .option('--secret [bool]', 'hide the value from show and list (true|false; alone: true)')
    .option('--tags <tags...>', 'tags of the named value (strings); "" clears them')
    .option('--key-vault-secret-id <url>', 'a Key Vault secret identifier (https://{vault}.vault.azure.net/secrets/{name}[/{version}]) the value is read from, instead of --value')
    .option('--identity-client-id <id>', "client id of the instance's user-assigned identity that reads the secret (default: its system-assigned identity)");
}

/** The properties for PUT or PATCH from the flags. */
function properties(o: ValueOptions, keyVault?: Resource): Resource {
  if (o.value !== undefined && o.keyVaultSecretId !== undefined) throw new UsageError('usage error: --value and --key-vault-secret-id cannot be used together');
  const p: Resource = {};
  if (o.displayName !== undefined) p.displayName = o.displayName;
  if (o.value !== undefined) p.value = o.value;
  const secret = parseThreeState('--secret', o.secret);
  if (secret !== undefined) p.secret = secret;
  const tags = tagList(o.tags);
  if (tags !== undefined) p.tags = tags;
  if (keyVault) p.keyVault = keyVault;
  return p;
}

export function registerApimNv(apim: Command): void {
  const nv = apim.command('nv').description('Manage the named values of an API Management service instance.');

  withCommonOptions(valueOptions(serviceOptions(nv.command('create').description('Create a named value: --value, or --key-vault-secret-id.'))))
    .requiredOption('--named-value-id <id>', 'identifier of the named value')
    .requiredOption('--display-name <name>', 'the name policies use ({{display-name}}): letters, digits, periods, dashes and underscores')
    .option('--no-wait', 'do not wait for the long-running operation to finish')
    .action(action<NvOptions & ValueOptions & { wait: boolean }>(async (ctx, o) => {
      if (o.value === undefined && o.keyVaultSecretId === undefined) throw new UsageError('usage error: --value VALUE | --key-vault-secret-id URL [--identity-client-id ID]');
      if (o.identityClientId !== undefined && o.keyVaultSecretId === undefined) throw new UsageError('usage error: --identity-client-id needs --key-vault-secret-id');
      const keyVault = o.keyVaultSecretId !== undefined ? { secretIdentifier: o.keyVaultSecretId, identityClientId: o.identityClientId ?? null } : undefined;
      const p = properties(o, keyVault);
      p.secret ??= keyVault !== undefined; // a Key Vault value is a secret unless told otherwise
      p.tags ??= [];
      const created = await create(ctx, nvPath(ctx, o), { properties: p }, o.wait);
      return created ? { value: nvView(created) } : undefined;
    }));

  withCommonOptions(serviceOptions(nv.command('show').description('Show a named value (a secret value is not shown: see show-secret).')))
    .requiredOption('--named-value-id <id>', 'identifier of the named value')
    .action(action<NvOptions>(async (ctx, o) => ({ value: nvView(await get(ctx, nvPath(ctx, o))) })));

  withCommonOptions(serviceOptions(nv.command('list').description('List the named values of an instance (secret values not shown).')))
    .action(action<ServiceOptions>(async (ctx, o) => ({ value: (await list(ctx, servicePath(ctx, o, 'namedValues'))).map(nvView) })));

  withCommonOptions(serviceOptions(nv.command('show-secret').description('Show the value of a named value, secret or from Key Vault (listValue).')))
    .requiredOption('--named-value-id <id>', 'identifier of the named value')
    .action(action<NvOptions>(async (ctx, o) => {
      const r = await post(ctx, nvPath(ctx, o, 'listValue'));
      return { value: { value: r?.value ?? null } };
    }));

  withCommonOptions(serviceOptions(nv.command('refresh').description('Read the Key Vault secret of a named value again (refreshSecret); prints the named value with keyVault.lastStatus.')))
    .requiredOption('--named-value-id <id>', 'identifier of the named value')
    .action(action<NvOptions>(async (ctx, o) => {
      const r = await post(ctx, nvPath(ctx, o, 'refreshSecret'));
      return { value: nvView(r && r.id ? r : await get(ctx, nvPath(ctx, o))) };
    }));

  withCommonOptions(ifMatchOption(valueOptions(serviceOptions(nv.command('update').description('Update a named value (what is not given stays).')))))
    .requiredOption('--named-value-id <id>', 'identifier of the named value')
    .option('--display-name <name>', 'a new display name (refused while a policy uses the old one)')
    .action(action<NvOptions & ValueOptions & { ifMatch?: string }>(async (ctx, o) => {
      let keyVault: Resource | undefined;
      if (o.keyVaultSecretId !== undefined) {
        keyVault = { secretIdentifier: o.keyVaultSecretId, identityClientId: o.identityClientId ?? null };
      } else if (o.identityClientId !== undefined) {
        // Another identity for the same secret.
        const current = await get(ctx, nvPath(ctx, o));
        const id = current.properties?.keyVault?.secretIdentifier;
        if (!id) throw new UsageError('usage error: --identity-client-id needs --key-vault-secret-id (the named value is not a Key Vault one)');
        keyVault = { secretIdentifier: id, identityClientId: o.identityClientId === '' ? null : o.identityClientId };
      }
      const updated = await write(ctx, 'PATCH', nvPath(ctx, o), { properties: properties(o, keyVault) }, o.ifMatch ?? '*');
      return { value: nvView(updated) };
    }));

  withCommonOptions(ifMatchOption(serviceOptions(nv.command('delete').description('Delete a named value (refused while a policy uses it).'))))
    .requiredOption('--named-value-id <id>', 'identifier of the named value')
    .option('-y, --yes', 'do not prompt for confirmation')
    .action(action<NvOptions & { ifMatch?: string; yes?: boolean }>(async (ctx, o) => {
      if (!(await confirmed(ctx, o.yes))) return;
      await remove(ctx, nvPath(ctx, o), o.ifMatch);
    }));
}
