// Create User Assigned Managed Identity: Basics (resource group, region, name), then Review + create.
import { useState } from 'react';
import { Button, Dropdown, Field, Input, makeStyles, Option, Text, tokens } from '@fluentui/react-components';
import { API_VERSIONS, REGIONS, regionDisplayName, type ArmResource, type UserAssignedIdentityProperties } from '../api/arm-types';
import { asAzureApiError, type AzureApiError } from '../api/errors';
import { usePortal } from '../app/context';
import { navigate, resourceRoute } from '../app/router';
import { Blade } from '../components/Blade';
import { ErrorBar } from '../components/ErrorBar';
import { PermissionButton } from '../components/PermissionButton';
import { ResourceGroupPicker, useResourceGroups } from '../components/ResourceGroupPicker';
import { ValueField } from '../components/Field';
import type { BladeProps } from './registry';
import { IDENTITY_TYPE } from './managed-identities';

const useStyles = makeStyles({
  form: { display: 'flex', flexDirection: 'column', gap: tokens.spacingVerticalM, maxWidth: '560px' },
  buttons: { display: 'flex', gap: tokens.spacingHorizontalS, flexWrap: 'wrap' },
});

/** Azure's rule for user-assigned identity names. */
export function identityNameError(name: string): string | undefined {
  if (name === '') return undefined;
  if (name.length < 3 || name.length > 128) return 'The name must be between 3 and 128 characters long.';
  if (!/^[A-Za-z0-9][A-Za-z0-9_-]*$/.test(name)) return 'The name must start with a letter or number and contain only letters, numbers, hyphens and underscores.';
  return undefined;
}

export default function CreateManagedIdentity(_: BladeProps) {
  const { api, subscription } = usePortal();
  const s = useStyles();
  const groups = useResourceGroups();
  const [group, setGroup] = useState('');
  const [region, setRegion] = useState('westeurope');
  const [name, setName] = useState('');
  const [review, setReview] = useState(false);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<AzureApiError>();
  const nameError = identityNameError(name);
  const valid = group !== '' && name !== '' && !nameError;
  const rgScope = group ? `/subscriptions/${subscription.subscriptionId}/resourceGroups/${group}` : undefined;

  const create = async () => {
    setBusy(true);
    setError(undefined);
    try {
      const id = `${rgScope}/providers/${IDENTITY_TYPE}/${name}`;
      await api.arm.put<ArmResource<UserAssignedIdentityProperties>>(id, API_VERSIONS.managedIdentity, { location: region });
      navigate(resourceRoute(id));
    } catch (e) {
      setError(asAzureApiError(e));
      setBusy(false);
    }
  };

  return (
    <Blade title="Create User Assigned Managed Identity">
      {!review ? (
        <form className={s.form} onSubmit={(e) => { e.preventDefault(); if (valid) setReview(true); }}>
          <ResourceGroupPicker value={group} groups={groups} onChange={(g, rg) => { setGroup(g); if (rg?.location) setRegion(rg.location); }} />
          <Field label="Region" required>
            <Dropdown value={regionDisplayName(region)} selectedOptions={[region]} onOptionSelect={(_, d) => setRegion(d.optionValue ?? region)}>
              {REGIONS.map((r) => <Option key={r.name} value={r.name}>{r.displayName}</Option>)}
            </Dropdown>
          </Field>
          <Field label="Name" required validationMessage={nameError}>
            <Input value={name} onChange={(_, d) => setName(d.value)} />
          </Field>
          <div className={s.buttons}>
            <Button appearance="primary" type="submit" disabled={!valid}>Review + create</Button>
          </div>
        </form>
      ) : (
        <div className={s.form}>
          <Text weight="semibold">Basics</Text>
          <ValueField label="Subscription" value={subscription.displayName} />
          <ValueField label="Resource group" value={group} />
          <ValueField label="Region" value={regionDisplayName(region)} />
          <ValueField label="Name" value={name} />
          <ErrorBar error={error} />
          <div className={s.buttons}>
            <PermissionButton scope={rgScope} action={`${IDENTITY_TYPE}/write`} appearance="primary" disabled={busy} onClick={() => void create()}>Create</PermissionButton>
            <Button onClick={() => setReview(false)} disabled={busy}>Previous</Button>
          </div>
        </div>
      )}
    </Blade>
  );
}
