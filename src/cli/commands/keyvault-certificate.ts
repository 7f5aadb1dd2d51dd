// `apim-local keyvault certificate import|show|list|list-versions|download|delete|recover|purge|list-deleted`:
// az's certificate commands against the vault's data plane, with az's output shapes (azure-cli's
// keyvault/_transformers.py: transform_certificate_show, _list, _policy).
import fs from 'node:fs';
import type { Command } from 'commander';
import { action, parseChoice, parseTags, parseThreeState, withCommonOptions } from '../command.js';
import { CliError } from '../errors.js';
import { isoTime, nameFromId, objectPath, resolveObject, VaultDataClient, type Resource } from '../keyvault-client.js';
import { encodeBytes } from './keyvault-secret.js';

const PKCS12 = 'application/x-pkcs12';
const PEM = 'application/x-pem-file';
const DOWNLOAD_ENCODINGS = ['PEM', 'DER'] as const;

const DELETE_WARNING = 'Warning! If you have soft-delete protection enabled on this key vault, this certificate will be moved to the '
  + 'soft deleted state. You will not be able to create a certificate with the same name within this key vault until the certificate '
  + 'has been purged from the soft-deleted state. Please see the following documentation for additional guidance.\n'
  + 'https://learn.microsoft.com/azure/key-vault/general/soft-delete-overview';

// ---- az's shapes ----

function attributesView(a: Resource | undefined): Resource {
  return {
    created: isoTime(a?.created), enabled: a?.enabled ?? null, expires: isoTime(a?.exp), notBefore: isoTime(a?.nbf),
    recoveryLevel: a?.recoveryLevel ?? null, updated: isoTime(a?.updated),
  };
}

function thumbprints(x5t: unknown): { x509Thumbprint: string | null; x509ThumbprintHex: string | null } {
  if (typeof x5t !== 'string' || x5t === '') return { x509Thumbprint: null, x509ThumbprintHex: null };
  const bytes = Buffer.from(x5t, 'base64url');
  return { x509Thumbprint: bytes.toString('base64'), x509ThumbprintHex: bytes.toString('hex').toUpperCase() };
}

/** transform_certificate_properties (list, list-versions) */
function propertiesView(c: Resource): Resource {
  return { attributes: attributesView(c.attributes), id: c.id ?? null, name: nameFromId(c.id), subject: '', tags: c.tags ?? null, ...thumbprints(c.x5t) };
}

/** transform_certificate_policy: Key Vault's policy (key_props, x509_props, ...) in az's camelCase. */
function policyView(p: Resource | undefined, policyId: string): Resource | null {
  if (!p) return null;
  const kp = p.key_props ?? {};
  const xp = p.x509_props ?? {};
  const sans = xp.sans ?? {};
  return {
    attributes: { created: isoTime(p.attributes?.created), enabled: p.attributes?.enabled ?? null, expires: null, notBefore: null, recoveryLevel: null, updated: isoTime(p.attributes?.updated) },
    id: policyId,
    issuerParameters: { certificateTransparency: p.issuer?.cert_transparency ?? null, certificateType: p.issuer?.cty ?? null, name: p.issuer?.name ?? null },
    keyProperties: { curve: kp.crv ?? null, exportable: kp.exportable ?? null, keySize: kp.key_size ?? null, keyType: kp.kty ?? null, reuseKey: kp.reuse_key ?? null },
    lifetimeActions: (p.lifetime_actions ?? []).map((a: Resource) => ({
      action: { actionType: a.action?.action_type ?? null },
      trigger: { daysBeforeExpiry: a.trigger?.days_before_expiry ?? null, lifetimePercentage: a.trigger?.lifetime_percentage ?? null },
    })),
    secretProperties: { contentType: p.secret_props?.contentType ?? null },
    x509CertificateProperties: {
      ekus: xp.ekus ?? null, keyUsage: xp.key_usage ?? null, subject: xp.subject ?? null,
      subjectAlternativeNames: { emails: sans.emails ?? null, upns: sans.upns ?? null, dnsNames: sans.dns_names ?? null },
      validityInMonths: xp.validity_months ?? null,
    },
  };
}

/** transform_certificate_show (import, show, recover) */
function certificateView(c: Resource): Resource {
  const { subject: _subject, ...props } = propertiesView(c);
  const id = String(c.id ?? '');
  return {
    ...props, cer: c.cer ?? null, contentType: c.contentType ?? c.policy?.secret_props?.contentType ?? null, kid: c.kid ?? null,
    policy: policyView(c.policy, [...id.split('/').slice(0, -1), 'policy'].join('/')), sid: c.sid ?? null,
  };
}

const deletedParts = (c: Resource): Resource => ({
  deletedDate: isoTime(c.deletedDate), recoveryId: c.recoveryId ?? null, scheduledPurgeDate: isoTime(c.scheduledPurgeDate),
});

/** transform_deleted_certificate (list-deleted) */
function deletedItemView(c: Resource): Resource {
  const { subject: _subject, ...props } = propertiesView(c);
  return { ...props, ...deletedParts(c) };
}

// ---- options ----

interface ObjectOptions { vaultName?: string; name?: string; id?: string; version?: string }

function objectOptions(cmd: Command, version = true): Command {
  cmd.option('--vault-name <name>', 'name of the vault')
    .option('-n, --name <name>', 'name of the certificate')
    .option('--id <id>', 'id of the certificate (https://{vault}/certificates/{name}[/{version}]), instead of --vault-name and --name');
  return version ? cmd.option('-v, --version <version>', 'version of the certificate (default: the latest)') : cmd;
}

/** The file to import as Key Vault's import takes it: PEM text as is, anything else (PFX) base64. */
function importValue(data: Buffer): { value: string; contentType: string } {
  const text = data.toString('utf8');
  if (/-----BEGIN [A-Z0-9 ]*CERTIFICATE-----/.test(text) && !text.includes('\uFFFD')) return { value: text.replace(/\r\n/g, '\n'), contentType: PEM };
  return { value: data.toString('base64'), contentType: PKCS12 };
}

export function registerKeyVaultCertificate(kv: Command): void {
  const cert = kv.command('certificate').description('Manage certificates of a vault.');

  withCommonOptions(cert.command('import').description('Import a certificate with its private key (PFX or PEM), as a new version.'))
    .requiredOption('--vault-name <name>', 'name of the vault')
    .requiredOption('-n, --name <name>', 'name of the certificate')
    .requiredOption('-f, --file <path>', 'PFX (PKCS#12) or PEM file with the certificate and its private key')
    .option('--password <password>', 'password of the PFX (or of an encrypted PEM key)')
    .option('--disabled [bool]', 'import the version disabled')
    .option('--tags <tags...>', 'space-separated tags: key[=value] [key[=value] ...]')
    .action(action<{ vaultName: string; name: string; file: string; password?: string; disabled?: string | boolean; tags?: string[] }>(async (ctx, o) => {
      const tags = parseTags(o.tags);
      const disabled = parseThreeState('--disabled', o.disabled);
      let data: Buffer;
      try { data = fs.readFileSync(o.file); } catch (e) {
        throw new CliError(`Unable to load certificate file '${o.file}': ${(e as NodeJS.ErrnoException).code === 'ENOENT' ? 'No such file or directory' : String((e as Error).message)}.`);
      }
      const { value, contentType } = importValue(data);
      const client = await VaultDataClient.forVault(ctx, o.vaultName);
      const body: Resource = {
        value, policy: { secret_props: { contentType } }, attributes: { enabled: disabled !== true },
        ...(o.password !== undefined ? { pwd: o.password } : {}), ...(tags ? { tags } : {}),
      };
      return { value: certificateView(await client.request('POST', `${objectPath('certificates', o.name)}/import`, body)) };
    }));

  withCommonOptions(objectOptions(cert.command('show').description('Show a certificate (the latest version unless --version).')))
    .action(action<ObjectOptions>(async (ctx, o) => {
      const { client, name, version } = await resolveObject(ctx, 'certificates', o);
      return { value: certificateView(await client.request('GET', `${objectPath('certificates', name, version)}${version ? '' : '/'}`)) };
    }));

  withCommonOptions(cert.command('list').description('List the certificates of a vault.'))
    .requiredOption('--vault-name <name>', 'name of the vault')
    .option('--maxresults <n>', 'at most this many')
    .option('--include-pending [bool]', 'also pending certificates (apim-local has none)')
    .action(action<{ vaultName: string; maxresults?: string }>(async (ctx, o) => {
      const client = await VaultDataClient.forVault(ctx, o.vaultName);
      const items = await client.listUpTo('/certificates', o.maxresults);
      return { value: items.map(propertiesView) };
    }));

  withCommonOptions(objectOptions(cert.command('list-versions').description('List the versions of a certificate.'), false))
    .option('--maxresults <n>', 'at most this many')
    .action(action<ObjectOptions & { maxresults?: string }>(async (ctx, o) => {
      const { client, name } = await resolveObject(ctx, 'certificates', o);
      const items = await client.listUpTo(`${objectPath('certificates', name)}/versions`, o.maxresults);
      return { value: items.map(propertiesView) };
    }));

  withCommonOptions(objectOptions(cert.command('download').description("Download a certificate's public part (no private key) to a file.")))
    .requiredOption('-f, --file <path>', 'file to write (must not exist)')
    .option('-e, --encoding <encoding>', 'PEM (default) or DER')
    .action(action<ObjectOptions & { file: string; encoding?: string }>(async (ctx, o) => {
      const encoding = parseChoice('--encoding', o.encoding, DOWNLOAD_ENCODINGS) ?? 'PEM';
      if (fs.existsSync(o.file)) throw new CliError(`File or directory named '${o.file}' already exists.`);
      const { client, name, version } = await resolveObject(ctx, 'certificates', o);
      const c = await client.request('GET', `${objectPath('certificates', name, version)}${version ? '' : '/'}`);
      const der = Buffer.from(String(c.cer ?? ''), 'base64');
      const data = encoding === 'DER' ? der : Buffer.from(`-----BEGIN CERTIFICATE-----\n${encodeBytes(der)}-----END CERTIFICATE-----\n`, 'utf8');
      fs.writeFileSync(o.file, data, { flag: 'wx' });
    }));

  withCommonOptions(objectOptions(cert.command('delete').description('Delete a certificate, every version (soft delete: it can be recovered until purged).'), false))
    .action(action<ObjectOptions>(async (ctx, o) => {
      ctx.warn(DELETE_WARNING);
      const { client, name } = await resolveObject(ctx, 'certificates', o);
      const c = await client.request('DELETE', objectPath('certificates', name));
      return { value: { ...certificateView(c), ...deletedParts(c) } };
    }));

  withCommonOptions(cert.command('list-deleted').description('List the deleted certificates of a vault.'))
    .requiredOption('--vault-name <name>', 'name of the vault')
    .option('--maxresults <n>', 'at most this many')
    .action(action<{ vaultName: string; maxresults?: string }>(async (ctx, o) => {
      const client = await VaultDataClient.forVault(ctx, o.vaultName);
      const items = await client.listUpTo('/deletedcertificates', o.maxresults);
      return { value: items.map(deletedItemView) };
    }));

  withCommonOptions(objectOptions(cert.command('recover').description('Recover a deleted certificate, with all its versions.'), false))
    .action(action<ObjectOptions>(async (ctx, o) => {
      const { client, name } = await resolveObject(ctx, 'deletedcertificates', o);
      return { value: certificateView(await client.request('POST', `${objectPath('deletedcertificates', name)}/recover`)) };
    }));

  withCommonOptions(objectOptions(cert.command('purge').description('Permanently delete a deleted certificate.'), false))
    .action(action<ObjectOptions>(async (ctx, o) => {
      const { client, name } = await resolveObject(ctx, 'deletedcertificates', o);
      await client.request('DELETE', objectPath('deletedcertificates', name));
    }));
}
