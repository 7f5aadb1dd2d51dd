// An Event Hubs namespace's Overview: Essentials (host name, status, pricing tier, local authentication).
import { Spinner } from '@fluentui/react-components';
import { parseResourceId, regionDisplayName } from '../api/arm-types';
import { EH_API, type Namespace } from '../api/eventhubs';
import { usePortal } from '../app/context';
import { useAsync } from '../app/use-async';
import { Blade } from '../components/Blade';
import { ErrorBar } from '../components/ErrorBar';
import { ValueField } from '../components/Field';
import type { BladeProps } from './registry';

export default function EventHubsNamespaceOverview({ resourceId }: BladeProps) {
  const { api, subscription } = usePortal();
  const parts = parseResourceId(resourceId);
  const r = useAsync(() => api.arm.get<Namespace>(resourceId, EH_API), [resourceId]);
  const p = r.data?.properties;
  return (
    <Blade title={parts.name} subtitle="Event Hubs Namespace">
      <ErrorBar error={r.error} />
      {r.loading && !r.data && <Spinner label="Loading" />}
      {r.data && (
        <>
          <ValueField label="Resource group" value={parts.resourceGroup} />
          <ValueField label="Location" value={regionDisplayName(r.data.location)} />
          <ValueField label="Subscription" value={subscription.displayName} />
          <ValueField label="Subscription ID" value={parts.subscriptionId} />
          <ValueField label="Host name" value={p?.serviceBusEndpoint ? new URL(p.serviceBusEndpoint).host : undefined} copy />
          <ValueField label="Status" value={p?.status} />
          <ValueField label="Pricing tier" value={r.data.sku ? `${r.data.sku.tier ?? r.data.sku.name}` : undefined} />
          <ValueField label="Local Authentication" value={p?.disableLocalAuth ? 'Disabled' : 'Enabled'} />
          <ValueField label="Public network access" value={p?.publicNetworkAccess ?? 'Enabled'} />
        </>
      )}
    </Blade>
  );
}
