// Access configuration: the vault's permission model (access policies or Azure RBAC), Apply.
import { useState } from 'react';
import { Field, MessageBar, MessageBarBody, Radio, RadioGroup, Spinner } from '@fluentui/react-components';
import { VAULT_API, VAULT_TYPE, type Vault } from '../api/keyvault';
import { asAzureApiError, type AzureApiError } from '../api/errors';
import { usePortal } from '../app/context';
import { useAsync } from '../app/use-async';
import { Blade } from '../components/Blade';
import { ErrorBar } from '../components/ErrorBar';
import { PermissionButton } from '../components/PermissionButton';
import type { BladeProps } from './registry';

type Model = 'accessPolicy' | 'rbac';

export default function KeyVaultAccessConfiguration({ resourceId }: BladeProps) {
  const { api } = usePortal();
  const r = useAsync(() => api.arm.get<Vault>(resourceId, VAULT_API), [resourceId]);
  const current: Model = r.data?.properties?.enableRbacAuthorization ? 'rbac' : 'accessPolicy';
  // The user's choice, else the vault's model (never a default shown before the vault is read).
  const [chosen, setModel] = useState<Model>();
  const model = chosen ?? current;
  const [error, setError] = useState<AzureApiError>();
  const [busy, setBusy] = useState(false);
  const [saved, setSaved] = useState(false);
  const apply = async () => {
    setBusy(true); setError(undefined); setSaved(false);
    try {
      await api.arm.patch(resourceId, VAULT_API, { properties: { enableRbacAuthorization: model === 'rbac' } });
      setSaved(true); r.reload();
    } catch (e) { setError(asAzureApiError(e)); }
    setBusy(false);
  };
  return (
    <Blade title="Access configuration" commands={
      <PermissionButton scope={resourceId} action={`${VAULT_TYPE}/write`} appearance="primary" disabled={busy || !r.data || model === current} onClick={() => void apply()}>Apply</PermissionButton>
    }>
      <ErrorBar error={r.error ?? error} />
      {saved && <MessageBar intent="success"><MessageBarBody>The permission model was updated.</MessageBarBody></MessageBar>}
      {r.loading && !r.data && <Spinner label="Loading" />}
      {r.data && (
        <Field label="Permission model">
          <RadioGroup value={model} onChange={(_, d) => setModel(d.value as Model)}>
            <Radio value="rbac" label="Azure role-based access control (recommended)" />
            <Radio value="accessPolicy" label="Vault access policy" />
          </RadioGroup>
        </Field>
      )}
    </Blade>
  );
}
