// A resource group's Overview: Essentials and its resources.
import { Spinner, Text } from '@fluentui/react-components';
import { API_VERSIONS, parseResourceId, regionDisplayName, type ArmResource, type ResourceGroup } from '../api/arm-types';
import { usePortal } from '../app/context';
import { useAsync } from '../app/use-async';
import { Blade } from '../components/Blade';
import { ErrorBar } from '../components/ErrorBar';
import { ValueField } from '../components/Field';
import { ResourceTable } from '../components/ResourceTable';
import type { BladeProps } from './registry';

export default function ResourceGroupOverview({ resourceId }: BladeProps) {
  const { api, subscription } = usePortal();
  const parts = parseResourceId(resourceId);
  const rg = useAsync(() => api.arm.get<ResourceGroup>(resourceId, API_VERSIONS.resources), [resourceId]);
  const resources = useAsync(() => api.arm.list<ArmResource>(`${resourceId}/resources`, API_VERSIONS.resources), [resourceId]);
  return (
    <Blade title={parts.name} subtitle="Resource group">
      <ErrorBar error={rg.error ?? resources.error} />
      {(rg.loading || resources.loading) && !rg.data && <Spinner label="Loading" />}
      {rg.data && (
        <>
          <ValueField label="Subscription" value={subscription.displayName} />
          <ValueField label="Location" value={regionDisplayName(rg.data.location)} />
          <ValueField label="Provisioning state" value={rg.data.properties?.provisioningState} />
        </>
      )}
      {resources.data && resources.data.length === 0 && <Text>No resources to display.</Text>}
      {resources.data && resources.data.length > 0 && <ResourceTable label="Resources" resources={resources.data} columns={['type', 'location']} />}
    </Blade>
  );
}
