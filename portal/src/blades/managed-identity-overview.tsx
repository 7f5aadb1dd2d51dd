// A user-assigned managed identity's Overview: Essentials with its Client ID and Object (principal) ID.
import { useState } from 'react';
import { Spinner } from '@fluentui/react-components';
import { DeleteRegular } from '@fluentui/react-icons';
import { API_VERSIONS, parseResourceId, regionDisplayName, type ArmResource, type UserAssignedIdentityProperties } from '../api/arm-types';
import { asAzureApiError, type AzureApiError } from '../api/errors';
import { usePortal } from '../app/context';
import { navigate } from '../app/router';
import { useAsync } from '../app/use-async';
import { Blade } from '../components/Blade';
import { ErrorBar } from '../components/ErrorBar';
import { ValueField } from '../components/Field';
import { PermissionButton } from '../components/PermissionButton';
import type { BladeProps } from './registry';
import { IDENTITY_TYPE } from './managed-identities';

export default function ManagedIdentityOverview({ resourceId }: BladeProps) {
  const { api, subscription } = usePortal();
  const parts = parseResourceId(resourceId);
  const r = useAsync(() => api.arm.get<ArmResource<UserAssignedIdentityProperties>>(resourceId, API_VERSIONS.managedIdentity), [resourceId]);
  const [error, setError] = useState<AzureApiError>();
  const [busy, setBusy] = useState(false);
  const remove = async () => {
    if (!window.confirm(`Delete the managed identity '${parts.name}'?`)) return;
    setBusy(true);
    try {
      await api.arm.delete(resourceId, API_VERSIONS.managedIdentity);
      navigate(`browse/${IDENTITY_TYPE}`);
    } catch (e) { setError(asAzureApiError(e)); setBusy(false); }
  };
  return (
    <Blade title={parts.name} subtitle="Managed Identity" commands={
      <PermissionButton scope={resourceId} action={`${IDENTITY_TYPE}/delete`} icon={<DeleteRegular />} disabled={busy || !r.data} onClick={() => void remove()}>Delete</PermissionButton>
    }>
      <ErrorBar error={r.error ?? error} />
      {r.loading && !r.data && <Spinner label="Loading" />}
      {r.data && (
        <>
          <ValueField label="Resource group" value={parts.resourceGroup} />
          <ValueField label="Location" value={regionDisplayName(r.data.location)} />
          <ValueField label="Subscription" value={subscription.displayName} />
          <ValueField label="Subscription ID" value={parts.subscriptionId} />
          <ValueField label="Type" value={r.data.type} />
          <ValueField label="Client ID" value={r.data.properties?.clientId} copy />
          <ValueField label="Object (principal) ID" value={r.data.properties?.principalId} copy />
          <ValueField label="Tenant ID" value={r.data.properties?.tenantId} />
        </>
      )}
    </Blade>
  );
}
