// Key vaults: the subscription's vaults.
import { Button, Spinner, Text } from '@fluentui/react-components';
import { ArrowClockwiseRegular } from '@fluentui/react-icons';
import type { ArmResource } from '../api/arm-types';
import { VAULT_API, VAULT_TYPE } from '../api/keyvault';
import { usePortal } from '../app/context';
import { useAsync } from '../app/use-async';
import { Blade } from '../components/Blade';
import { ErrorBar } from '../components/ErrorBar';
import { ResourceTable } from '../components/ResourceTable';
import type { BladeProps } from './registry';

export default function KeyVaults(_: BladeProps) {
  const { api, subscription } = usePortal();
  const sub = `/subscriptions/${subscription.subscriptionId}`;
  const list = useAsync(() => api.arm.list<ArmResource>(`${sub}/providers/${VAULT_TYPE}`, VAULT_API), [sub]);
  return (
    <Blade title="Key vaults" commands={<Button icon={<ArrowClockwiseRegular />} onClick={list.reload}>Refresh</Button>}>
      <ErrorBar error={list.error} />
      {list.loading && !list.data && <Spinner label="Loading key vaults" />}
      {list.data && list.data.length === 0 && <Text>No key vaults to display.</Text>}
      {list.data && list.data.length > 0 && <ResourceTable label="Key vaults" resources={list.data} columns={['resourceGroup', 'location']} />}
    </Blade>
  );
}
