// A key vault's Overview: Essentials (vault URI, permission model, soft delete, purge protection...).
import { Spinner } from '@fluentui/react-components';
import { parseResourceId, regionDisplayName } from '../api/arm-types';
import { VAULT_API, type Vault } from '../api/keyvault';
import { usePortal } from '../app/context';
import { useAsync } from '../app/use-async';
import { Blade } from '../components/Blade';
import { ErrorBar } from '../components/ErrorBar';
import { ValueField } from '../components/Field';
import type { BladeProps } from './registry';

export default function KeyVaultOverview({ resourceId }: BladeProps) {
  const { api, subscription } = usePortal();
  const parts = parseResourceId(resourceId);
  const r = useAsync(() => api.arm.get<Vault>(resourceId, VAULT_API), [resourceId]);
  const p = r.data?.properties;
  const onOff = (b: boolean | undefined) => (b ? 'Enabled' : 'Disabled');
  return (
    <Blade title={parts.name} subtitle="Key vault">
      <ErrorBar error={r.error} />
      {r.loading && !r.data && <Spinner label="Loading" />}
      {r.data && p && (
        <>
          <ValueField label="Resource group" value={parts.resourceGroup} />
          <ValueField label="Location" value={regionDisplayName(r.data.location)} />
          <ValueField label="Subscription" value={subscription.displayName} />
          <ValueField label="Subscription ID" value={parts.subscriptionId} />
          <ValueField label="Vault URI" value={p.vaultUri} copy />
          <ValueField label="Sku (Pricing tier)" value={p.sku?.name === 'premium' ? 'Premium' : 'Standard'} />
          <ValueField label="Directory ID" value={p.tenantId} />
          <ValueField label="Permission model" value={p.enableRbacAuthorization ? 'Azure role-based access control' : 'Vault access policy'} />
          <ValueField label="Soft-delete" value={onOff(p.enableSoftDelete !== false)} />
          <ValueField label="Days to retain deleted vaults" value={String(p.softDeleteRetentionInDays ?? 90)} />
          <ValueField label="Purge protection" value={onOff(p.enablePurgeProtection)} />
          <ValueField label="Public network access" value={p.publicNetworkAccess === 'Disabled' ? 'Disabled' : (p.networkAcls?.defaultAction === 'Deny' ? 'Selected networks' : 'All networks')} />
        </>
      )}
    </Blade>
  );
}
