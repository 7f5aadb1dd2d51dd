// The gateway's way into Key Vault: read a secret (or a certificate's secret) as one managed identity of
// an API Management instance, in process, through exactly the same pipeline as an HTTP request. Only the
// instance's system-assigned identity counts as a trusted service for the firewall bypass.
import type { ManagedIdentities, IdentitySelector } from '../entra/index.js';
import { AzureError } from '../common/errors.js';
import type { VaultPipeline } from './pipeline.js';
import type { VaultView } from './bundles.js';
import { VAULT_AUDIENCES } from './auth.js';

/** The gateway's calls leave from the instance's outbound address (outboundPublicIPAddresses). */
export const GATEWAY_OUTBOUND_ADDRESS = '127.0.0.1';

export interface GatewaySecretRead {
  vaultName: string;
  name: string;
  /** The version read: a caller that asked for the latest notices rotation when this changes. */
  version: string;
  /** The secret id with its version (https://localhost:{port}/secrets/{name}/{version}). */
  id: string;
  value: string;
  contentType: string | null;
  /** For a certificate's secret: the key id, and `managed: true`. */
  managed: boolean;
}

export interface GatewayReadInput {
  /** ARM id of the API Management instance. */
  instanceId: string;
  /** Which identity: none for the system-assigned one, or a user-assigned one's clientId. */
  identity?: IdentitySelector;
  /**
   * `https://{vault}.vault.azure.net/secrets/{name}[/{version}]` (Azure's form, resolved by vault name),
   * `https://localhost:{port}/secrets/...`, or the same with `/certificates/`.
   */
  secretIdentifier: string;
}

const invalidIdentifier = (id: string) => new AzureError({
  status: 400, code: 'InvalidKeyVaultReference',
  message: `'${id}' is not a Key Vault secret or certificate identifier: expected https://{vault}.vault.azure.net/secrets/{name}[/{version}].`,
});
const unknownVault = (id: string) => new AzureError({ status: 404, code: 'VaultNotFound', message: `No vault serves '${id}'.` });

export class GatewayReader {
  constructor(private readonly o: {
    pipeline: VaultPipeline;
    managedIdentities: ManagedIdentities;
    findVault(by: { name?: string; port?: number }): VaultView | undefined;
  }) {}

  async read(input: GatewayReadInput): Promise<GatewaySecretRead> {
    const ref = parseIdentifier(input.secretIdentifier);
    const view = this.o.findVault(ref.vault);
    if (!view) throw unknownVault(input.secretIdentifier);
    const { token, principal } = await this.o.managedIdentities.tokenFor(input.instanceId, input.identity ?? {}, VAULT_AUDIENCES[0]);
    const assigned = await this.o.managedIdentities.assignments(input.instanceId);
    const systemAssigned = assigned.some((a) => a.principalId === principal.objectId && a.kind === 'SystemAssigned');
    const result = await this.o.pipeline.run(view, {
      method: 'GET',
      path: `/secrets/${encodeURIComponent(ref.name)}/${ref.version ? encodeURIComponent(ref.version) : ''}`,
      query: new URLSearchParams({ 'api-version': '2025-07-01' }),
      token: token.accessToken,
      origin: { clientIp: GATEWAY_OUTBOUND_ADDRESS, trustedService: systemAssigned },
      readJson: async () => undefined,
    });
    const bundle = result.body as { id: string; value: string; contentType?: string; managed?: boolean };
    const version = bundle.id.split('/').pop()!;
    return {
      vaultName: view.vault.settings.name, name: ref.name, version, id: bundle.id, value: bundle.value,
      contentType: bundle.contentType ?? null, managed: bundle.managed === true,
    };
  }
}

export function parseIdentifier(id: string): { vault: { name?: string; port?: number }; name: string; version?: string } {
  let url: URL;
  try { url = new URL(id); } catch { throw invalidIdentifier(id); }
  const segs = url.pathname.split('/').filter((s) => s !== '');
  if (url.protocol !== 'https:' || segs.length < 2 || segs.length > 3 || !['secrets', 'certificates'].includes(segs[0].toLowerCase())) {
    throw invalidIdentifier(id);
  }
  const host = url.hostname.toLowerCase();
  const azure = /^([a-z0-9-]{3,24})\.vault\.azure\.net$/.exec(host);
  const vault = azure ? { name: azure[1] } : ['localhost', '127.0.0.1', '[::1]'].includes(host) && url.port ? { port: Number(url.port) } : undefined;
  if (!vault) throw invalidIdentifier(id);
  return { vault, name: decodeURIComponent(segs[1]), version: segs[2] ? decodeURIComponent(segs[2]) : undefined };
}
