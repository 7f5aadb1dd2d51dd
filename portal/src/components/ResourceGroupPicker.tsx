// Subscription (shown) and Resource group (picked) for create forms, as Azure's "Project details".
import { Dropdown, Field, Option, Text } from '@fluentui/react-components';
import { API_VERSIONS, type ResourceGroup } from '../api/arm-types';
import { usePortal } from '../app/context';
import { useAsync } from '../app/use-async';
import { ErrorBar } from './ErrorBar';

export function useResourceGroups() {
  const { api, subscription } = usePortal();
  return useAsync(() => api.arm.list<ResourceGroup>(`/subscriptions/${subscription.subscriptionId}/resourcegroups`, API_VERSIONS.resources), [subscription.subscriptionId]);
}

export function ResourceGroupPicker({ value, onChange, groups }: { value: string; onChange(name: string, group: ResourceGroup | undefined): void; groups: ReturnType<typeof useResourceGroups> }) {
  const { subscription } = usePortal();
  return (
    <>
      <Field label="Subscription"><Text>{subscription.displayName}</Text></Field>
      <ErrorBar error={groups.error} />
      <Field label="Resource group" required validationMessage={groups.data && groups.data.length === 0 ? 'This subscription has no resource group: create one first (az group create, or a template).' : undefined}>
        <Dropdown placeholder="Select a resource group" value={value} selectedOptions={value ? [value] : []}
          onOptionSelect={(_, d) => onChange(d.optionValue ?? '', groups.data?.find((g) => g.name === d.optionValue))}>
          {(groups.data ?? []).map((g) => <Option key={g.id} value={g.name}>{g.name}</Option>)}
        </Dropdown>
      </Field>
    </>
  );
}
