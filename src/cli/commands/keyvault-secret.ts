// `apim-local keyvault secret set|show|list|list-versions|delete|recover|purge|list-deleted|show-deleted|download`:
// az's secret commands against the vault's data plane (its vaultUri), with az's output shapes
// (azure-cli's keyvault/_transformers.py: attributes with ISO times, null where unset).
import fs from 'node:fs';
import type { Command } from 'commander';
import { action, parseChoice, parseTags, parseThreeState, withCommonOptions } from '../command.js';
import { CliError } from '../errors.js';
import { isoTime, nameFromId, objectPath, parseDateArg, resolveObject, VaultDataClient, type Resource } from '../keyvault-client.js';

const TEXT_ENCODINGS = ['utf-8', 'utf-16le', 'utf-16be', 'ascii'] as const;
const ENCODINGS = [...TEXT_ENCODINGS, 'base64', 'hex'] as const;

const DELETE_WARNING = 'Warning! If you have soft-delete protection enabled on this key vault, this secret will be moved to the soft '
  + 'deleted state. You will not be able to create a secret with the same name within this key vault until the secret has been purged '
  + 'from the soft-deleted state. Please see the following documentation for additional guidance.\n'
  + 'https://learn.microsoft.com/azure/key-vault/general/soft-delete-overview';

// ---- az's shapes ----

function attributesView(a: Resource | undefined): Resource {
  return {
    created: isoTime(a?.created), enabled: a?.enabled ?? null, expires: isoTime(a?.exp), notBefore: isoTime(a?.nbf),
    recoverableDays: a?.recoverableDays ?? null, recoveryLevel: a?.recoveryLevel ?? null, updated: isoTime(a?.updated),
  };
}

/** transform_secret_base_properties */
function baseView(s: Resource): Resource {
  return {
    attributes: attributesView(s.attributes), contentType: s.contentType ?? null, id: s.id ?? null,
    managed: s.managed ?? null, name: nameFromId(s.id), tags: s.tags ?? null,
  };
}

/** transform_secret_set (set, show): with kid and the value. */
const secretView = (s: Resource): Resource => ({ ...baseView(s), kid: s.kid ?? null, value: s.value ?? null });
/** transform_secret_set_attributes (recover): the value hidden. */
const secretAttributesView = (s: Resource): Resource => ({ ...baseView(s), kid: s.kid ?? null, value: null });
const deletedParts = (s: Resource): Resource => ({
  deletedDate: isoTime(s.deletedDate), recoveryId: s.recoveryId ?? null, scheduledPurgeDate: isoTime(s.scheduledPurgeDate),
});
/** transform_secret_show_deleted (delete, show-deleted) */
const deletedSecretView = (s: Resource): Resource => ({ ...secretAttributesView(s), ...deletedParts(s) });
/** transform_deleted_secret_properties (list-deleted) */
const deletedItemView = (s: Resource): Resource => ({ ...baseView(s), ...deletedParts(s) });

/** az's table for `secret list`. */
const listTable = (items: Resource[]) => items.map((s) => ({
  Name: s.name || ' ', Id: s.id || ' ', ContentType: s.contentType || ' ', Enabled: s.attributes?.enabled || ' ', Expires: s.attributes?.expires || ' ',
}));

/** Python's base64.encodebytes: lines of 76 characters, each ending with a newline. */
export function encodeBytes(data: Buffer): string {
  const b64 = data.toString('base64');
  let out = '';
  for (let i = 0; i < b64.length; i += 76) out += `${b64.slice(i, i + 76)}\n`;
  return out;
}

/** az's process_secret_set_namespace: --value or --file (read in the given encoding); tags get file-encoding. */
function secretValue(o: SetOptions): { value: string; encoding: string } {
  const encoding = parseChoice('--encoding', o.encoding, ENCODINGS) ?? 'utf-8';
  if ((o.value && o.file) || (!o.value && !o.file)) throw new CliError('incorrect usage: [Required] --value VALUE | --file PATH');
  if (!o.file) return { value: o.value!, encoding };
  let data: Buffer;
  try { data = fs.readFileSync(o.file); } catch (e) { throw new CliError(`[Errno 2] No such file or directory: '${o.file}' (${(e as NodeJS.ErrnoException).code ?? e})`); }
  if (encoding === 'base64') return { value: encodeBytes(data), encoding };
  if (encoding === 'hex') return { value: data.toString('hex'), encoding };
  const text = new TextDecoder('utf-8', { fatal: false }).decode(data);
  if (text.includes('\uFFFD') || (encoding === 'ascii' && /[^\x00-\x7f]/.test(text))) {
    throw new CliError(`Unable to decode file '${o.file}' with '${encoding}' encoding.`);
  }
  return { value: text, encoding };
}

interface ObjectOptions { vaultName?: string; name?: string; id?: string; version?: string }
interface SetOptions {
  vaultName: string; name: string; value?: string; file?: string; encoding?: string; contentType?: string; description?: string; tags?: string[];
  disabled?: string | boolean; expires?: string; notBefore?: string;
}

function objectOptions(cmd: Command, version = true): Command {
  cmd.option('--vault-name <name>', 'name of the vault')
    .option('-n, --name <name>', 'name of the secret')
    .option('--id <id>', 'id of the secret (https://{vault}/secrets/{name}[/{version}]), instead of --vault-name and --name');
  return version ? cmd.option('-v, --version <version>', 'version of the secret (default: the latest)') : cmd;
}

function vaultOptions(cmd: Command): Command {
  return cmd.requiredOption('--vault-name <name>', 'name of the vault');
}

export function registerKeyVaultSecret(kv: Command): void {
  const secret = kv.command('secret').description('Manage secrets of a vault.');

  withCommonOptions(secret.command('set').description('Create a secret, or a new version of it.'))
    .requiredOption('--vault-name <name>', 'name of the vault')
    .requiredOption('-n, --name <name>', 'name of the secret')
    .option('--value <value>', 'value of the secret')
    .option('-f, --file <path>', 'read the value from this file')
    .option('-e, --encoding <encoding>', `with --file: ${ENCODINGS.join(', ')} (default utf-8)`)
    .option('--content-type <type>', 'content type of the secret (e.g. a password or a file type)')
    .option('--description <type>', 'the same as --content-type')
    .option('--tags <tags...>', 'space-separated tags: key[=value] [key[=value] ...]')
    .option('--disabled [bool]', 'create the version disabled')
    .option('--expires <datetime>', 'expiry, UTC, e.g. 2030-12-31T12:59:59Z')
    .option('--not-before <datetime>', 'not usable before, UTC, e.g. 2020-12-31T12:59:59Z')
    .action(action<SetOptions>(async (ctx, o) => {
      const tags = parseTags(o.tags) ?? {};
      const disabled = parseThreeState('--disabled', o.disabled);
      const exp = parseDateArg('--expires', o.expires);
      const nbf = parseDateArg('--not-before', o.notBefore);
      const { value, encoding } = secretValue(o);
      tags['file-encoding'] = encoding;
      const attributes: Resource = {};
      if (disabled !== undefined) attributes.enabled = !disabled;
      if (exp !== undefined) attributes.exp = exp;
      if (nbf !== undefined) attributes.nbf = nbf;
      const client = await VaultDataClient.forVault(ctx, o.vaultName);
      const contentType = o.contentType ?? o.description;
      const body: Resource = { value, tags, ...(contentType !== undefined ? { contentType } : {}), ...(Object.keys(attributes).length ? { attributes } : {}) };
      return { value: secretView(await client.request('PUT', objectPath('secrets', o.name), body)) };
    }));

  withCommonOptions(objectOptions(secret.command('show').description('Get a secret with its value (the latest version unless --version).')))
    .action(action<ObjectOptions>(async (ctx, o) => {
      const { client, name, version } = await resolveObject(ctx, 'secrets', o);
      return { value: secretView(await client.request('GET', `${objectPath('secrets', name, version)}${version ? '' : '/'}`)) };
    }));

  withCommonOptions(vaultOptions(secret.command('list').description('List the secrets of a vault (without values).')))
    .option('--maxresults <n>', 'at most this many')
    .option('--include-managed', 'also the secrets that belong to certificates')
    .action(action<{ vaultName: string; maxresults?: string; includeManaged?: boolean }>(async (ctx, o) => {
      const client = await VaultDataClient.forVault(ctx, o.vaultName);
      const items = await client.listUpTo('/secrets', o.maxresults, (s) => !!o.includeManaged || !s.managed);
      return { value: items.map(baseView), table: listTable };
    }));

  withCommonOptions(objectOptions(secret.command('list-versions').description('List the versions of a secret (without values).'), false))
    .option('--maxresults <n>', 'at most this many')
    .action(action<ObjectOptions & { maxresults?: string }>(async (ctx, o) => {
      const { client, name } = await resolveObject(ctx, 'secrets', o);
      const items = await client.listUpTo(`${objectPath('secrets', name)}/versions`, o.maxresults);
      return { value: items.map(baseView) };
    }));

  withCommonOptions(objectOptions(secret.command('delete').description('Delete a secret, every version (soft delete: it can be recovered until purged).'), false))
    .action(action<ObjectOptions>(async (ctx, o) => {
      ctx.warn(DELETE_WARNING);
      const { client, name } = await resolveObject(ctx, 'secrets', o);
      return { value: deletedSecretView(await client.request('DELETE', objectPath('secrets', name))) };
    }));

  withCommonOptions(vaultOptions(secret.command('list-deleted').description('List the deleted secrets of a vault.')))
    .option('--maxresults <n>', 'at most this many')
    .action(action<{ vaultName: string; maxresults?: string }>(async (ctx, o) => {
      const client = await VaultDataClient.forVault(ctx, o.vaultName);
      const items = await client.listUpTo('/deletedsecrets', o.maxresults);
      return { value: items.map(deletedItemView) };
    }));

  withCommonOptions(objectOptions(secret.command('show-deleted').description('Show a deleted secret.'), false))
    .action(action<ObjectOptions>(async (ctx, o) => {
      const { client, name } = await resolveObject(ctx, 'deletedsecrets', o);
      return { value: deletedSecretView(await client.request('GET', objectPath('deletedsecrets', name))) };
    }));

  withCommonOptions(objectOptions(secret.command('recover').description('Recover a deleted secret, with all its versions.'), false))
    .action(action<ObjectOptions>(async (ctx, o) => {
      const { client, name } = await resolveObject(ctx, 'deletedsecrets', o);
      return { value: secretAttributesView(await client.request('POST', `${objectPath('deletedsecrets', name)}/recover`)) };
    }));

  withCommonOptions(objectOptions(secret.command('purge').description('Permanently delete a deleted secret.'), false))
    .action(action<ObjectOptions>(async (ctx, o) => {
      const { client, name } = await resolveObject(ctx, 'deletedsecrets', o);
      await client.request('DELETE', objectPath('deletedsecrets', name));
    }));

  withCommonOptions(objectOptions(secret.command('download').description('Download a secret value to a file.')))
    .requiredOption('-f, --file <path>', 'file to write (must not exist)')
    .option('-e, --encoding <encoding>', `${ENCODINGS.join(', ')} (default: the secret's file-encoding tag, else utf-8)`)
    .action(action<ObjectOptions & { file: string; encoding?: string }>(async (ctx, o) => {
      let encoding = parseChoice('--encoding', o.encoding, ENCODINGS) as string | undefined;
      if (fs.existsSync(o.file)) throw new CliError(`File or directory named '${o.file}' already exists.`);
      const { client, name, version } = await resolveObject(ctx, 'secrets', o);
      const s = await client.request('GET', `${objectPath('secrets', name, version)}${version ? '' : '/'}`);
      encoding = encoding ?? s.tags?.['file-encoding'] ?? 'utf-8';
      const value = String(s.value ?? '');
      const data = (TEXT_ENCODINGS as readonly string[]).includes(encoding!) ? Buffer.from(value, 'utf8')
        : encoding === 'base64' ? Buffer.from(value, 'base64') : Buffer.from(value, 'hex');
      fs.writeFileSync(o.file, data, { flag: 'wx' });
    }));
}
