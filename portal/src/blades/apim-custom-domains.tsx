// Custom domains of an API Management instance, as Azure's portal: the hostnames (type, hostname,
// certificate source, status, expiry, thumbprint); "+ Add" (Type, Hostname, Certificate "Key Vault":
// a vault and certificate picked, or a secret identifier pasted, and the Client identity it is read
// with) and Delete change the list, Save writes it as the instance's hostnameConfigurations (PATCH).
import { useState } from 'react';
import {
  Button, Checkbox, DrawerBody, DrawerFooter, DrawerHeader, DrawerHeaderTitle, Dropdown, Field, Input, makeStyles, OverlayDrawer, Option,
  Spinner, Table, TableBody, TableCell, TableHeader, TableHeaderCell, TableRow, Text, tokens,
} from '@fluentui/react-components';
import { AddRegular, ArrowClockwiseRegular, DeleteRegular, DismissRegular, SaveRegular } from '@fluentui/react-icons';
import { parseResourceId } from '../api/arm-types';
import { APIM_API_VERSION, APIM_WRITE, customHostnames, hostnameForWrite, type ApimService, type HostnameConfiguration } from '../api/apim-instance';
import { asAzureApiError, type AzureApiError } from '../api/errors';
import { usePortal } from '../app/context';
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

const TYPES = ['Proxy', 'DeveloperPortal', 'Management', 'Portal', 'Scm'] as const;
/** A DNS hostname (labels of letters, digits and hyphens), as Azure's portal checks it. */
const HOSTNAME = /^(?=.{1,253}$)(?!-)[A-Za-z0-9-]{1,63}(?<!-)(\.(?!-)[A-Za-z0-9-]{1,63}(?<!-))+$/;

const fmtDate = (iso: string | undefined) => (iso ? new Date(iso).toLocaleDateString(undefined, { year: 'numeric', month: 'short', day: 'numeric' }) : '');

export default function ApimCustomDomains({ resourceId }: BladeProps) {
  const { api } = usePortal();
  const s = useStyles();
  const svc = useService(resourceId);
  // Pending edits: added hostnames and removed ones (lower-cased), applied by Save.
  const [added, setAdded] = useState<HostnameConfiguration[]>([]);
  const [removed, setRemoved] = useState<string[]>([]);
  const [adding, setAdding] = useState(false);
  const [deleting, setDeleting] = useState<string>();
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<AzureApiError>();
  const builtIn = (svc.data?.properties?.hostnameConfigurations ?? []).filter((h) => h.certificateSource === 'BuiltIn');
  const custom = customHostnames(svc.data);
  const dirty = added.length > 0 || removed.length > 0;
  const rows = [...builtIn, ...custom, ...added];

  const save = async () => {
    setBusy(true);
    setError(undefined);
    try {
      const keep = custom.filter((h) => !removed.includes(h.hostName.toLowerCase())).map(hostnameForWrite);
      await api.arm.patch<ApimService>(resourceId, APIM_API_VERSION, { properties: { hostnameConfigurations: [...keep, ...added] } });
      setAdded([]);
      setRemoved([]);
      svc.reload();
    } catch (e) { setError(asAzureApiError(e)); }
    setBusy(false);
  };
  const discard = () => { setAdded([]); setRemoved([]); setError(undefined); };
  const remove = (host: string) => {
    setDeleting(undefined);
    if (added.some((a) => a.hostName.toLowerCase() === host)) setAdded((cur) => cur.filter((a) => a.hostName.toLowerCase() !== host));
    else setRemoved((cur) => [...cur, host]);
  };

  return (
    <Blade title="Custom domains" subtitle={`${parseResourceId(resourceId).name} | API Management service`} commands={<>
      <PermissionButton scope={resourceId} action={APIM_WRITE} icon={<AddRegular />} disabled={!svc.data || busy} onClick={() => setAdding(true)}>Add</PermissionButton>
      <PermissionButton scope={resourceId} action={APIM_WRITE} appearance="primary" icon={<SaveRegular />} disabled={!dirty || busy} onClick={() => void save()}>Save</PermissionButton>
      <Button icon={<DismissRegular />} disabled={!dirty || busy} onClick={discard}>Discard</Button>
      <Button icon={<ArrowClockwiseRegular />} onClick={svc.reload}>Refresh</Button>
    </>}>
      <ErrorBar error={svc.error ?? error} />
      {(svc.loading && !svc.data) || busy ? <Spinner size="tiny" label={busy ? 'Saving custom domains' : 'Loading'} /> : null}
      {dirty && <Text>You have unsaved changes: select Save to apply them.</Text>}
      {svc.data && (
        <div className={s.scroll} tabIndex={0} role="region" aria-label="Custom domains (scrollable)">
          <Table aria-label="Custom domains" size="small">
            <TableHeader>
              <TableRow>
                <TableHeaderCell>Type</TableHeaderCell><TableHeaderCell>Hostname</TableHeaderCell><TableHeaderCell>Certificate source</TableHeaderCell>
                <TableHeaderCell>Status</TableHeaderCell><TableHeaderCell>Expiry</TableHeaderCell><TableHeaderCell>Thumbprint</TableHeaderCell>
                <TableHeaderCell>Client identity</TableHeaderCell><TableHeaderCell>Actions</TableHeaderCell>
              </TableRow>
            </TableHeader>
            <TableBody>
              {rows.map((h) => {
                const key = h.hostName.toLowerCase();
                const pending = added.includes(h);
                const gone = removed.includes(key);
                return (
                  <TableRow key={key}>
                    <TableCell>{h.type}</TableCell>
                    <TableCell className={s.cell}>{h.hostName}</TableCell>
                    <TableCell>{h.certificateSource === 'BuiltIn' ? 'Built-in' : h.keyVaultId ? 'Key Vault' : h.certificateSource === 'Custom' ? 'Custom' : h.certificateSource ?? ''}</TableCell>
                    <TableCell>{pending ? 'Pending save' : gone ? 'Pending removal' : h.certificateStatus ?? (h.certificateSource === 'BuiltIn' ? 'Completed' : '')}</TableCell>
                    <TableCell>{fmtDate(h.certificate?.expiry)}</TableCell>
                    <TableCell className={s.cell}>{h.certificate?.thumbprint ?? ''}</TableCell>
                    <TableCell className={s.cell}>{h.keyVaultId ? identityLabel(svc.data!.identity, h.identityClientId) : ''}</TableCell>
                    <TableCell>
                      {h.certificateSource !== 'BuiltIn' && !gone && (
                        <PermissionButton scope={resourceId} action={APIM_WRITE} icon={<DeleteRegular />} disabled={busy}
                          onClick={() => setDeleting(key)}>Delete</PermissionButton>
                      )}
                    </TableCell>
                  </TableRow>
                );
              })}
            </TableBody>
          </Table>
        </div>
      )}
      {adding && svc.data && (
        <AddDomain service={svc.data} taken={rows.map((r) => r.hostName.toLowerCase())} onClose={() => setAdding(false)}
          onAdd={(h) => { setAdding(false); setAdded((cur) => [...cur, h]); }} />
      )}
      <ConfirmDialog open={deleting !== undefined} title="Delete custom domain" confirmLabel="Delete" onCancel={() => setDeleting(undefined)} onConfirm={() => remove(deleting!)}>
        Delete the custom domain &apos;{deleting}&apos;? Clients calling the gateway at this hostname fail once you save.
      </ConfirmDialog>
    </Blade>
  );
}

function AddDomain({ service, taken, onClose, onAdd }: { service: ApimService; taken: string[]; onClose(): void; onAdd(h: HostnameConfiguration): void }) {
  const s = useStyles();
  const [type, setType] = useState<string>('Proxy');
  const [hostName, setHostName] = useState('');
  const [choice, setChoice] = useState<VaultChoice>({});
  const [secretId, setSecretId] = useState('');
  const [identity, setIdentity] = useState<string>();
  const [defaultSsl, setDefaultSsl] = useState(false);
  const hostError = hostName === '' ? undefined : !HOSTNAME.test(hostName) ? 'Enter a valid hostname, e.g. api.contoso.com.'
    : taken.includes(hostName.toLowerCase()) ? 'This hostname is already configured.' : undefined;
  const idError = secretId === '' || /^https:\/\/[^/]+\/secrets\/[^/]+(\/[^/]+)?$/.test(secretId) ? undefined : 'Enter a Key Vault secret identifier: https://{vault}.vault.azure.net/secrets/{name}[/{version}].';
  const valid = hostName !== '' && !hostError && secretId !== '' && !idError && identity !== undefined;
  return (
    <OverlayDrawer open modalType="non-modal" position="end" size="medium" onOpenChange={(_, d) => { if (!d.open) onClose(); }} aria-labelledby="add-domain-title">
      <DrawerHeader>
        <DrawerHeaderTitle id="add-domain-title" action={<Button appearance="subtle" aria-label="Close" icon={<DismissRegular />} onClick={onClose} />}>
          Add custom domain
        </DrawerHeaderTitle>
      </DrawerHeader>
      <DrawerBody>
        <div className={s.stack}>
          <Field label="Type" required>
            <Dropdown value={type} selectedOptions={[type]} onOptionSelect={(_, d) => setType(d.optionValue ?? 'Proxy')}>
              {TYPES.map((t) => <Option key={t} value={t}>{t}</Option>)}
            </Dropdown>
          </Field>
          <Field label="Hostname" required validationMessage={hostError}>
            <Input value={hostName} placeholder="api.contoso.com" onChange={(_, d) => setHostName(d.value.trim())} />
          </Field>
          <Field label="Certificate"><Text>Key Vault</Text></Field>
          <KeyVaultItemPicker kind="certificates" value={choice} onChange={(v, id) => { setChoice(v); if (id) setSecretId(id); }} />
          <Field label="Secret identifier" required validationMessage={idError}
            hint="Filled in by the certificate you select; or paste a secret identifier. Without a version, new versions are picked up.">
            <Input value={secretId} onChange={(_, d) => setSecretId(d.value.trim())} />
          </Field>
          <ClientIdentityPicker identity={service.identity} value={identity} onChange={setIdentity} />
          {type === 'Proxy' && <Checkbox label="Default SSL binding" checked={defaultSsl} onChange={(_, d) => setDefaultSsl(d.checked === true)} />}
        </div>
      </DrawerBody>
      <DrawerFooter>
        <Button appearance="primary" disabled={!valid} onClick={() => onAdd({
          type, hostName, keyVaultId: secretId, ...(identity && identity !== SYSTEM_ASSIGNED ? { identityClientId: identity } : {}),
          ...(type === 'Proxy' ? { defaultSslBinding: defaultSsl } : {}), negotiateClientCertificate: false,
        })}>Add</Button>
        <Button onClick={onClose}>Cancel</Button>
      </DrawerFooter>
    </OverlayDrawer>
  );
}
