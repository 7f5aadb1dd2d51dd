// Event Hubs: the subscription's Event Hubs namespaces.
import { Button, Spinner, Text } from '@fluentui/react-components';
import { ArrowClockwiseRegular } from '@fluentui/react-icons';
import type { ArmResource } from '../api/arm-types';
import { EH_API, NS_TYPE } from '../api/eventhubs';
import { usePortal } from '../app/context';
import { useAsync } from '../app/use-async';
import { Blade } from '../components/Blade';
import { ErrorBar } from '../components/ErrorBar';
import { ResourceTable } from '../components/ResourceTable';
import type { BladeProps } from './registry';

export default function EventHubsNamespaces(_: BladeProps) {
  const { api, subscription } = usePortal();
  const sub = `/subscriptions/${subscription.subscriptionId}`;
  const list = useAsync(() => api.arm.list<ArmResource>(`${sub}/providers/${NS_TYPE}`, EH_API), [sub]);
  return (
    <Blade title="Event Hubs" commands={<Button icon={<ArrowClockwiseRegular />} onClick={list.reload}>Refresh</Button>}>
      <ErrorBar error={list.error} />
      {list.loading && !list.data && <Spinner label="Loading Event Hubs namespaces" />}
      {list.data && list.data.length === 0 && <Text>No Event Hubs namespaces to display.</Text>}
      {list.data && list.data.length > 0 && <ResourceTable label="Event Hubs" resources={list.data} columns={['resourceGroup', 'location']} />}
    </Blade>
  );
}
