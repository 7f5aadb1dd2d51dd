// `apim-local apim hostname set|list|remove`: an instance's custom hostnames (hostnameConfigurations),
// with a certificate from Key Vault (--key-vault-id, read by the instance's identity) or from a PFX
// file. Each command reads the instance and PATCHes the whole list back: the hostnames it does not
// name are sent as GET shows them, and the server keeps their certificates.
import fs from 'node:fs';
import type { Command } from 'commander';
import { action, parseChoice, parseThreeState, withCommonOptions, type CliContext } from '../command.js';
import { API_VERSIONS } from '../arm-client.js';
import { CliError, UsageError } from '../errors.js';
import type { Resource } from '../managed-identity.js';

const V = API_VERSIONS.apiManagement;
const TYPES = ['Proxy', 'Portal', 'Management', 'Scm', 'DeveloperPortal', 'ConfigurationApi'] as const;

interface InstanceOptions { resourceGroup: string; name: string }
interface HostOptions extends InstanceOptions { hostnameType: string; hostname: string }

const same = (h: Resource, type: string, hostName: string) =>
  String(h.type).toLowerCase() === type.toLowerCase() && String(h.hostName).toLowerCase() === hostName.toLowerCase();

/** The custom hostnames of an instance (without the built-in one), as GET shows them. */
const customOf = (svc: Resource): Resource[] =>
  ((svc.properties?.hostnameConfigurations ?? []) as Resource[]).filter((h) => h.certificateSource !== 'BuiltIn');

export function registerHostnameCommands(
  apim: Command,
  instanceOptions: (cmd: Command) => Command,
  servicePath: (ctx: CliContext, o: InstanceOptions) => string,
): void {
  const hostname = apim.command('hostname').description("Manage an API Management service's custom hostnames and their certificates.");
  const hostOptions = (cmd: Command) => instanceOptions(cmd)
    .requiredOption('--hostname-type <type>', `the endpoint: ${TYPES.join(', ')}`)
    .requiredOption('--hostname <name>', 'the hostname, e.g. api.contoso.com');

  withCommonOptions(hostOptions(hostname.command('set').description(
    'Add or replace a custom hostname. Its certificate comes from Key Vault (--key-vault-id, a secret identifier; versionless: new versions are picked up) or a PFX file.',
  )))
    .option('--key-vault-id <id>', 'Key Vault secret identifier of the certificate: https://{vault}.vault.azure.net/secrets/{name}[/{version}]')
    .option('--identity-client-id <id>', 'client id of the user-assigned identity that reads it (default: the system-assigned identity)')
    .option('--certificate-path <file>', 'a PFX file to upload instead of --key-vault-id')
    .option('--certificate-password <password>', 'the password of the PFX file')
    .option('--default-ssl-binding [bool]', 'serve this certificate to clients that send no SNI (Proxy only)')
    .option('--negotiate-client-certificate [bool]', 'ask clients for a certificate in the TLS handshake')
    .action(action<HostOptions & {
      keyVaultId?: string; identityClientId?: string; certificatePath?: string; certificatePassword?: string;
      defaultSslBinding?: string | boolean; negotiateClientCertificate?: string | boolean;
    }>(async (ctx, o) => {
      const type = parseChoice('--hostname-type', o.hostnameType, TYPES)!;
      if (!o.keyVaultId === !o.certificatePath) throw new UsageError('usage error: give either --key-vault-id or --certificate-path');
      if (o.identityClientId && !o.keyVaultId) throw new UsageError('usage error: --identity-client-id goes with --key-vault-id');
      const entry: Resource = { type, hostName: o.hostname };
      if (o.keyVaultId) {
        entry.keyVaultId = o.keyVaultId;
        if (o.identityClientId) entry.identityClientId = o.identityClientId;
      } else {
        let pfx: Buffer;
        try { pfx = fs.readFileSync(o.certificatePath!); } catch (e) { throw new CliError(`cannot read --certificate-path: ${(e as Error).message}`); }
        entry.encodedCertificate = pfx.toString('base64');
        if (o.certificatePassword !== undefined) entry.certificatePassword = o.certificatePassword;
      }
      const defaultSslBinding = parseThreeState('--default-ssl-binding', o.defaultSslBinding);
      const negotiate = parseThreeState('--negotiate-client-certificate', o.negotiateClientCertificate);
      if (defaultSslBinding !== undefined) entry.defaultSslBinding = defaultSslBinding;
      if (negotiate !== undefined) entry.negotiateClientCertificate = negotiate;
      const path = servicePath(ctx, o);
      const others = customOf(await ctx.arm.get<Resource>(path, V)).filter((h) => !same(h, type, o.hostname));
      const updated = await ctx.arm.write<Resource>('PATCH', path, V, { properties: { hostnameConfigurations: [...others, entry] } });
      return { value: customOf(updated!).find((h) => same(h, type, o.hostname)) ?? null };
    }));

  withCommonOptions(instanceOptions(hostname.command('list').description('List the hostnames of an instance, the built-in one included.')))
    .action(action<InstanceOptions>(async (ctx, o) => ({
      value: (await ctx.arm.get<Resource>(servicePath(ctx, o), V)).properties?.hostnameConfigurations ?? [],
    })));

  withCommonOptions(hostOptions(hostname.command('remove').description('Remove a custom hostname (the built-in one stays).')))
    .action(action<HostOptions>(async (ctx, o) => {
      const type = parseChoice('--hostname-type', o.hostnameType, TYPES)!;
      const path = servicePath(ctx, o);
      const current = customOf(await ctx.arm.get<Resource>(path, V));
      const left = current.filter((h) => !same(h, type, o.hostname));
      if (left.length === current.length) throw new CliError(`The API Management service '${o.name}' has no ${type} hostname '${o.hostname}'.`);
      await ctx.arm.write<Resource>('PATCH', path, V, { properties: { hostnameConfigurations: left } });
      return undefined;
    }));
}
