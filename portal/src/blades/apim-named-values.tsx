// Named values of an API Management instance, as Azure's portal: the list (name, type plain / secret /
// Key Vault, value — masked for secrets, never read for them —, Key Vault refresh status) and "+ Add"
// (Plain, Secret, or Key vault: a secret picked from a vault or its identifier pasted, and the Client
// identity it is read with), Delete with a confirmation.
import { useState } from 'react';
import {
  Button, DrawerBody, DrawerFooter, DrawerHeader, DrawerHeaderTitle, Field, Input, makeStyles, MessageBar, MessageBarBody, OverlayDrawer, Radio, RadioGroup,
  Spinner, Table, TableBody, TableCell, TableHeader, TableHeaderCell, TableRow, Text, tokens,
} from '@fluentui/react-components';
import { AddRegular, ArrowClockwiseRegular, DeleteRegular, DismissRegular } from '@fluentui/react-icons';
import { parseResourceId } from '../api/arm-types';
import { APIM_API_VERSION, type ApimService, type NamedValue, type NamedValueProperties } from '../api/apim-instance';
import { asAzureApiError, type AzureApiError } from '../api/errors';
import { usePortal } from '../app/context';
import { useAsync } from '../app/use-async';
import { Blade } from '../components/Blade';
import { ConfirmDialog } from '../components/ConfirmDialog';
import { ErrorBar } from '../components/ErrorBar';
import { PermissionButton } from '../components/PermissionButton';
import { ClientIdentityPicker, KeyVaultItemPicker, SYSTEM_ASSIGNED, identityLabel, useService, type VaultChoice } from './apim-shared';
import type { BladeProps } from './registry';

const useStyles = makeStyles({
  stack: { display: 'flex', flexDirection: 'column', gap: tokens.spacingVerticalM, minWidth: 0 },
  cell: { overflowWrap: 'anywhere' },
  scroll: { overflowX: 'auto' },
});

const NV_WRITE = 'Microsoft.ApiManagement/service/namedValues/write';
const NV_DELETE = 'Microsoft.ApiManagement/service/namedValues/delete';
/** Azure's rule for display names (letters, digits, periods, dashes, underscores), and for the resource name. */
const DISPLAY_NAME = /^[A-Za-z0-9-._]{1,256}$/;
const NAME = /^[A-Za-z0-9-]{1,256}$/;

const typeOf = (p: NamedValueProperties | undefined) => (p?.keyVault ? 'Key vault' : p?.secret ? 'Secret' : 'Plain');

export default function ApimNamedValues({ resourceId }: BladeProps) {
  const { api } = usePortal();
  const s = useStyles();
  const svc = useService(resourceId);
  const list = useAsync(() => api.arm.list<NamedValue>(`${resourceId}/namedValues`, APIM_API_VERSION), [resourceId]);
  const [adding, setAdding] = useState(false);
  const [deleting, setDeleting] = useState<NamedValue>();
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<AzureApiError>();
  const [notice, setNotice] = useState<string>();

  // Key Vault values: read the secret again now (refreshSecret), as the periodic refresh would.
  const refresh = async (nv: NamedValue) => {
    setBusy(true);
    setError(undefined);
    setNotice(undefined);
    try {
      await api.arm.post(`${nv.id}/refreshSecret`, APIM_API_VERSION);
      setNotice(`The secret of '${nv.properties?.displayName ?? nv.name}' was read from Key Vault again.`);
    } catch (e) { setError(asAzureApiError(e)); }
    setBusy(false);
    list.reload();
  };

  const remove = async (nv: NamedValue) => {
    setDeleting(undefined);
    setBusy(true);
    setError(undefined);
    try { await api.arm.delete(nv.id, APIM_API_VERSION); } catch (e) { setError(asAzureApiError(e)); }
    setBusy(false);
    list.reload();
  };

  return (
    <Blade title="Named values" subtitle={`${parseResourceId(resourceId).name} | API Management service`} commands={<>
      <PermissionButton scope={resourceId} action={NV_WRITE} icon={<AddRegular />} disabled={busy} onClick={() => setAdding(true)}>Add</PermissionButton>
      <Button icon={<ArrowClockwiseRegular />} onClick={list.reload}>Refresh</Button>
    </>}>
      <ErrorBar error={list.error ?? error} />
      {notice && <MessageBar intent="success" role="status"><MessageBarBody>{notice}</MessageBarBody></MessageBar>}
      {((list.loading && !list.data) || busy) && <Spinner size="tiny" label={busy ? 'Updating named values' : 'Loading named values'} />}
      {list.data && list.data.length === 0 && <Text>No named values to display.</Text>}
      {list.data && list.data.length > 0 && (
        <div className={s.scroll} tabIndex={0} role="region" aria-label="Named values (scrollable)">
          <Table aria-label="Named values" size="small">
            <TableHeader>
              <TableRow>
                <TableHeaderCell>Name</TableHeaderCell><TableHeaderCell>Display name</TableHeaderCell><TableHeaderCell>Type</TableHeaderCell>
                <TableHeaderCell>Value</TableHeaderCell><TableHeaderCell>Key vault status</TableHeaderCell><TableHeaderCell>Actions</TableHeaderCell>
              </TableRow>
            </TableHeader>
            <TableBody>
              {list.data.map((nv) => {
                const p = nv.properties;
                const status = p?.keyVault?.lastStatus;
                return (
                  <TableRow key={nv.id}>
                    <TableCell className={s.cell}>{nv.name}</TableCell>
                    <TableCell className={s.cell}>{p?.displayName}</TableCell>
                    <TableCell>{typeOf(p)}</TableCell>
                    <TableCell className={s.cell}>{p?.keyVault ? p.keyVault.secretIdentifier : p?.secret ? '••••••' : p?.value}</TableCell>
                    <TableCell className={s.cell}>
                      {p?.keyVault ? (
                        <>
                          <div>{status ? (status.code === 'Success' ? 'Success' : `${status.code}${status.message ? `: ${status.message}` : ''}`) : 'Not read yet'}</div>
                          {status?.timeStampUtc && <div>Last refreshed {new Date(status.timeStampUtc).toLocaleString()}</div>}
                          <div>{identityLabel(svc.data?.identity, p.keyVault.identityClientId)}</div>
                        </>
                      ) : ''}
                    </TableCell>
                    <TableCell>
                      {p?.keyVault && (
                        <PermissionButton scope={nv.id} action="Microsoft.ApiManagement/service/namedValues/refreshSecret/action" icon={<ArrowClockwiseRegular />}
                          disabled={busy} onClick={() => void refresh(nv)}>Refresh secret</PermissionButton>
                      )}
                      <PermissionButton scope={nv.id} action={NV_DELETE} icon={<DeleteRegular />} disabled={busy} onClick={() => setDeleting(nv)}>Delete</PermissionButton>
                    </TableCell>
                  </TableRow>
                );
              })}
            </TableBody>
          </Table>
        </div>
      )}
      {adding && svc.data && <AddNamedValue resourceId={resourceId} service={svc.data} onClose={() => setAdding(false)} onCreated={() => { setAdding(false); list.reload(); }} />}
      <ConfirmDialog open={deleting !== undefined} title="Delete named value" confirmLabel="Delete" onCancel={() => setDeleting(undefined)} onConfirm={() => void remove(deleting!)}>
        Delete the named value &apos;{deleting?.properties?.displayName}&apos;? Policies that use it can no longer be saved.
      </ConfirmDialog>
    </Blade>
  );
}

function AddNamedValue({ resourceId, service, onClose, onCreated }: { resourceId: string; service: ApimService; onClose(): void; onCreated(): void }) {
  const { api } = usePortal();
  const s = useStyles();
  const [name, setName] = useState('');
  const [displayName, setDisplayName] = useState('');
  const [kind, setKind] = useState<'plain' | 'secret' | 'keyvault'>('plain');
  const [value, setValue] = useState('');
  const [choice, setChoice] = useState<VaultChoice>({});
  const [secretId, setSecretId] = useState('');
  const [identity, setIdentity] = useState<string>();
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<AzureApiError>();
  const nameError = name !== '' && !NAME.test(name) ? 'The name may contain only letters, digits and hyphens.' : undefined;
  const displayError = displayName !== '' && !DISPLAY_NAME.test(displayName) ? 'The display name may contain only letters, digits, periods, dashes and underscores.' : undefined;
  const idError = secretId === '' || /^https:\/\/[^/]+\/secrets\/[^/]+(\/[^/]+)?$/.test(secretId) ? undefined : 'Enter a Key Vault secret identifier: https://{vault}.vault.azure.net/secrets/{name}[/{version}].';
  const valid = name !== '' && !nameError && displayName !== '' && !displayError
    && (kind === 'keyvault' ? secretId !== '' && !idError && identity !== undefined : value !== '');

  const create = async () => {
    setBusy(true);
    setError(undefined);
    const properties = kind === 'keyvault'
      ? { displayName, secret: true, keyVault: { secretIdentifier: secretId, identityClientId: identity === SYSTEM_ASSIGNED ? null : identity } }
      : { displayName, secret: kind === 'secret', value };
    try {
      await api.arm.put(`${resourceId}/namedValues/${name}`, APIM_API_VERSION, { properties });
      onCreated();
    } catch (e) { setError(asAzureApiError(e)); setBusy(false); }
  };

  return (
    <OverlayDrawer open modalType="non-modal" position="end" size="medium" onOpenChange={(_, d) => { if (!d.open) onClose(); }} aria-labelledby="add-nv-title">
      <DrawerHeader>
        <DrawerHeaderTitle id="add-nv-title" action={<Button appearance="subtle" aria-label="Close" icon={<DismissRegular />} onClick={onClose} />}>
          Add named value
        </DrawerHeaderTitle>
      </DrawerHeader>
      <DrawerBody>
        <div className={s.stack}>
          <Field label="Name" required validationMessage={nameError}>
            <Input value={name} onChange={(_, d) => { setName(d.value); if (displayName === '' || displayName === name) setDisplayName(d.value); }} />
          </Field>
          <Field label="Display name" required validationMessage={displayError}>
            <Input value={displayName} onChange={(_, d) => setDisplayName(d.value)} />
          </Field>
          <Field label="Type">
            <RadioGroup value={kind} onChange={(_, d) => setKind(d.value as typeof kind)}>
              <Radio value="plain" label="Plain" />
              <Radio value="secret" label="Secret" />
              <Radio value="keyvault" label="Key vault" />
            </RadioGroup>
          </Field>
          {kind !== 'keyvault' && (
            <Field label="Value" required>
              <Input type={kind === 'secret' ? 'password' : 'text'} value={value} onChange={(_, d) => setValue(d.value)} />
            </Field>
          )}
          {kind === 'keyvault' && (
            <>
              <KeyVaultItemPicker kind="secrets" value={choice} onChange={(v, id) => { setChoice(v); if (id) setSecretId(id); }} />
              <Field label="Secret identifier" required validationMessage={idError}
                hint="Filled in by the secret you select; or paste a secret identifier. Without a version, new versions are picked up.">
                <Input value={secretId} onChange={(_, d) => setSecretId(d.value.trim())} />
              </Field>
              <ClientIdentityPicker identity={service.identity} value={identity} onChange={setIdentity} />
            </>
          )}
          <ErrorBar error={error} />
        </div>
      </DrawerBody>
      <DrawerFooter>
        <PermissionButton scope={resourceId} action={NV_WRITE} appearance="primary" disabled={!valid || busy} onClick={() => void create()}>Save</PermissionButton>
        <Button onClick={onClose}>Cancel</Button>
      </DrawerFooter>
    </OverlayDrawer>
  );
}
