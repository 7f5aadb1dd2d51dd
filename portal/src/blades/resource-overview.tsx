// Overview of any resource without a blade of its own: Essentials and its JSON view.
import { Spinner } from '@fluentui/react-components';
import { parseResourceId, type ArmResource } from '../api/arm-types';
import { usePortal } from '../app/context';
import { useAsync } from '../app/use-async';
import { Blade } from '../components/Blade';
import { ErrorBar } from '../components/ErrorBar';
import { ValueField } from '../components/Field';
import type { BladeProps } from './registry';

/** Resource Manager api-versions by provider namespace, for reading a resource generically. */
const API_VERSION_BY_NAMESPACE: Record<string, string> = {
  'microsoft.apimanagement': '2024-05-01',
  'microsoft.keyvault': '2023-07-01',
  'microsoft.managedidentity': '2023-01-31',
  'microsoft.eventhub': '2024-01-01',
  'microsoft.resources': '2021-04-01',
  'microsoft.authorization': '2022-04-01',
};

export function apiVersionFor(resourceType: string): string {
  return API_VERSION_BY_NAMESPACE[resourceType.split('/')[0].toLowerCase()] ?? '2021-04-01';
}

export default function ResourceOverview({ resourceId }: BladeProps) {
  const { api } = usePortal();
  const parts = parseResourceId(resourceId);
  const r = useAsync(() => api.arm.get<ArmResource>(resourceId, apiVersionFor(parts.type)), [resourceId]);
  return (
    <Blade title={parts.name} subtitle={parts.type}>
      <ErrorBar error={r.error} />
      {r.loading && <Spinner label="Loading" />}
      {r.data && (
        <>
          <ValueField label="Resource group" value={parts.resourceGroup} />
          <ValueField label="Location" value={r.data.location} />
          <ValueField label="Type" value={r.data.type} />
          <ValueField label="Resource ID" value={r.data.id} copy />
          <h2>JSON View</h2>
          <pre tabIndex={0} aria-label="Resource JSON" style={{ overflow: 'auto', maxHeight: 480 }}>{JSON.stringify(r.data, null, 2)}</pre>
        </>
      )}
    </Blade>
  );
}
