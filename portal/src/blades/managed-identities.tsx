// Managed Identities: the subscription's user-assigned identities, and Create.
import { Button, Spinner, Text } from '@fluentui/react-components';
import { AddRegular, ArrowClockwiseRegular } from '@fluentui/react-icons';
import { API_VERSIONS, type ArmResource } from '../api/arm-types';
import { usePortal } from '../app/context';
import { navigate } from '../app/router';
import { useAsync } from '../app/use-async';
import { Blade } from '../components/Blade';
import { ErrorBar } from '../components/ErrorBar';
import { PermissionButton } from '../components/PermissionButton';
import { ResourceTable } from '../components/ResourceTable';
import type { BladeProps } from './registry';

export const IDENTITY_TYPE = 'Microsoft.ManagedIdentity/userAssignedIdentities';

export default function ManagedIdentities(_: BladeProps) {
  const { api, subscription } = usePortal();
  const sub = `/subscriptions/${subscription.subscriptionId}`;
  const list = useAsync(() => api.arm.list<ArmResource>(`${sub}/providers/${IDENTITY_TYPE}`, API_VERSIONS.managedIdentity), [sub]);
  return (
    <Blade title="Managed Identities" commands={<>
      <PermissionButton scope={sub} action={`${IDENTITY_TYPE}/write`} icon={<AddRegular />} appearance="primary" onClick={() => navigate(`create/${IDENTITY_TYPE}`)}>Create</PermissionButton>
      <Button icon={<ArrowClockwiseRegular />} onClick={list.reload}>Refresh</Button>
    </>}>
      <ErrorBar error={list.error} />
      {list.loading && !list.data && <Spinner label="Loading managed identities" />}
      {list.data && list.data.length === 0 && <Text>No managed identities to display.</Text>}
      {list.data && list.data.length > 0 && <ResourceTable label="Managed Identities" resources={list.data} columns={['resourceGroup', 'location']} />}
    </Blade>
  );
}
