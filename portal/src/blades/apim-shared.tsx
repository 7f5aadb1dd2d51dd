// Pieces the API Management instance blades share: the instance document, the "Client identity" picker
// (system-assigned or one of the instance's user-assigned identities, as a Key Vault reference names
// it), and the Key Vault certificate/secret picker (vaults from Resource Manager, their certificates or
// secrets from the vault's data plane, which answers CORS for the portal's origin).
import { useMemo } from 'react';
import { Dropdown, Field, Option, Spinner } from '@fluentui/react-components';
import { parseResourceId } from '../api/arm-types';
import {
  APIM_API_VERSION, KEY_VAULT_API_VERSION, KEY_VAULT_DATA_API_VERSION, hasSystemAssigned,
  type ApimService, type KeyVaultCertificateItem, type KeyVaultVault, type ServiceIdentity,
} from '../api/apim-instance';
import { usePortal } from '../app/context';
import { useAsync } from '../app/use-async';
import { ErrorBar } from '../components/ErrorBar';

export function useService(resourceId: string) {
  const { api } = usePortal();
  return useAsync(() => api.arm.get<ApimService>(resourceId, APIM_API_VERSION), [resourceId]);
}

/** '' is the system-assigned identity; otherwise a user-assigned identity's client id. */
export const SYSTEM_ASSIGNED = '';

export function identityLabel(identity: ServiceIdentity | undefined, clientId: string | null | undefined): string {
  if (!clientId) return 'System assigned';
  const found = Object.entries(identity?.userAssignedIdentities ?? {}).find(([, v]) => v.clientId?.toLowerCase() === clientId.toLowerCase());
  return found ? `${parseResourceId(found[0]).name} (user assigned)` : `Client ID ${clientId}`;
}

export function ClientIdentityPicker({ identity, value, onChange }: { identity: ServiceIdentity | undefined; value: string | undefined; onChange(clientId: string): void }) {
  const options = useMemo(() => [
    ...(hasSystemAssigned(identity) ? [{ value: SYSTEM_ASSIGNED, text: 'System assigned' }] : []),
    ...Object.entries(identity?.userAssignedIdentities ?? {}).map(([id, v]) => ({ value: v.clientId ?? '', text: `${parseResourceId(id).name} (user assigned)` })),
  ], [identity]);
  const selected = options.find((o) => o.value === value);
  return (
    <Field label="Client identity" required
      validationMessage={options.length === 0 ? 'This instance has no managed identity: turn one on under Security > Managed identities first.' : undefined}>
      <Dropdown placeholder="Select an identity" value={selected?.text ?? ''} selectedOptions={selected ? [selected.value] : []}
        onOptionSelect={(_, d) => onChange(d.optionValue ?? '')}>
        {options.map((o) => <Option key={o.value || 'system'} value={o.value}>{o.text}</Option>)}
      </Dropdown>
    </Field>
  );
}

export interface VaultChoice { vault?: KeyVaultVault; item?: string }

/**
 * Key vault, then a certificate (`kind` certificates) or secret (`kind` secrets) in it. onChange gets the
 * versionless secret identifier `{vaultUri}secrets/{name}` (a certificate's key and chain live in the
 * secret of the same name), so API Management follows new versions.
 */
export function KeyVaultItemPicker({ kind, value, onChange }: { kind: 'certificates' | 'secrets'; value: VaultChoice; onChange(v: VaultChoice, secretIdentifier: string | undefined): void }) {
  const { api, subscription } = usePortal();
  const vaults = useAsync(() => api.arm.list<KeyVaultVault>(`/subscriptions/${subscription.subscriptionId}/providers/Microsoft.KeyVault/vaults`, KEY_VAULT_API_VERSION), [subscription.subscriptionId]);
  const vaultUri = value.vault?.properties?.vaultUri;
  const items = useAsync(async () => {
    if (!vaultUri) return [];
    const out: string[] = [];
    let url: string | undefined = `${vaultUri}${kind}?api-version=${KEY_VAULT_DATA_API_VERSION}`;
    for (let page = 0; url && page < 20; page++) {
      const r: { body: { value?: KeyVaultCertificateItem[]; nextLink?: string | null } } = await api.send('keyVault', 'GET', url);
      for (const c of r.body.value ?? []) out.push(new URL(c.id).pathname.split('/').filter(Boolean)[1]);
      url = r.body.nextLink || undefined;
    }
    return out;
  }, [vaultUri, kind]);
  const itemLabel = kind === 'certificates' ? 'Certificate' : 'Secret';
  return (
    <>
      <ErrorBar error={vaults.error} />
      <Field label="Key vault" required>
        <Dropdown placeholder="Select a key vault" value={value.vault?.name ?? ''} selectedOptions={value.vault ? [value.vault.id] : []}
          onOptionSelect={(_, d) => onChange({ vault: vaults.data?.find((v) => v.id === d.optionValue) }, undefined)}>
          {(vaults.data ?? []).map((v) => <Option key={v.id} value={v.id} text={v.name}>{`${v.name} (${parseResourceId(v.id).resourceGroup ?? ''})`}</Option>)}
        </Dropdown>
      </Field>
      {value.vault && <ErrorBar error={items.error} />}
      {value.vault && items.loading && <Spinner size="tiny" label={`Loading ${kind}`} />}
      {value.vault && items.data && (
        <Field label={itemLabel} required validationMessage={items.data.length === 0 ? `The key vault has no ${kind}.` : undefined}>
          <Dropdown placeholder={`Select a ${itemLabel.toLowerCase()}`} value={value.item ?? ''} selectedOptions={value.item ? [value.item] : []}
            onOptionSelect={(_, d) => onChange({ ...value, item: d.optionValue }, d.optionValue && vaultUri ? `${vaultUri}secrets/${d.optionValue}` : undefined)}>
            {items.data.map((n) => <Option key={n} value={n}>{n}</Option>)}
          </Dropdown>
        </Field>
      )}
    </>
  );
}
