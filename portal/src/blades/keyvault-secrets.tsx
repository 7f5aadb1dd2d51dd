// Secrets: the vault's secrets through its data plane (list, versions, "+ Generate/Import" a value).
// Data-plane calls are authorized by the vault (access policies or RBAC): its 403 is shown as it comes.
import { useState } from 'react';
import { Button, Checkbox, Field, Input, makeStyles, MessageBar, MessageBarBody, Spinner, Table, TableBody, TableCell, TableHeader, TableHeaderCell, TableRow, Text, Title3, tokens } from '@fluentui/react-components';
import { AddRegular, ArrowClockwiseRegular } from '@fluentui/react-icons';
import { formatEpoch, KV_DATA_API, kvIdParts, listData, VAULT_API, vaultUri, type KvItem, type Vault } from '../api/keyvault';
import { asAzureApiError, type AzureApiError } from '../api/errors';
import { usePortal } from '../app/context';
import { useAsync } from '../app/use-async';
import { Blade } from '../components/Blade';
import { ErrorBar } from '../components/ErrorBar';
import type { BladeProps } from './registry';

export const useKvStyles = makeStyles({
  form: { display: 'flex', flexDirection: 'column', gap: tokens.spacingVerticalS, border: `1px solid ${tokens.colorNeutralStroke2}`, padding: tokens.spacingHorizontalM, borderRadius: tokens.borderRadiusMedium, maxWidth: '560px' },
  nav: { display: 'flex', flexWrap: 'wrap', gap: tokens.spacingHorizontalS },
  table: { overflowX: 'auto', maxWidth: '100%' },
  cell: { overflowWrap: 'anywhere' },
});
const NAME = /^[0-9a-zA-Z-]{1,127}$/;

export default function KeyVaultSecrets({ resourceId }: BladeProps) {
  const { api } = usePortal();
  const s = useKvStyles();
  const vault = useAsync(() => api.arm.get<Vault>(resourceId, VAULT_API), [resourceId]);
  const base = vaultUri(vault.data);
  const list = useAsync(async () => (base ? listData<KvItem>(api, base, 'secrets') : undefined), [base]);
  const [open, setOpen] = useState<string>();
  const versions = useAsync(async () => (base && open ? listData<KvItem>(api, base, `secrets/${encodeURIComponent(open)}/versions`) : undefined), [base, open]);
  const [creating, setCreating] = useState(false);
  const [name, setName] = useState('');
  const [value, setValue] = useState('');
  const [contentType, setContentType] = useState('');
  const [enabled, setEnabled] = useState(true);
  const [error, setError] = useState<AzureApiError>();
  const [busy, setBusy] = useState(false);
  const [done, setDone] = useState<string>();

  const create = async () => {
    if (!base) return;
    setBusy(true); setError(undefined); setDone(undefined);
    try {
      await api.send('keyVault', 'PUT', `${base}secrets/${encodeURIComponent(name)}?api-version=${KV_DATA_API}`, { value, ...(contentType ? { contentType } : {}), attributes: { enabled } });
      setDone(`The secret '${name}' was created.`);
      setCreating(false); setName(''); setValue(''); setContentType('');
      list.reload(); if (open === name) versions.reload();
    } catch (e) { setError(asAzureApiError(e)); }
    setBusy(false);
  };
  const nameError = name && !NAME.test(name) ? 'The name may contain only letters, digits and dashes (up to 127).' : undefined;

  return (
    <Blade title="Secrets" commands={<>
      <Button icon={<AddRegular />} disabled={!base || creating} onClick={() => { setDone(undefined); setCreating(true); }}>Generate/Import</Button>
      <Button icon={<ArrowClockwiseRegular />} onClick={list.reload}>Refresh</Button>
    </>}>
      <ErrorBar error={vault.error ?? list.error ?? versions.error ?? error} />
      {done && <MessageBar intent="success"><MessageBarBody>{done}</MessageBarBody></MessageBar>}
      {creating && (
        <section className={s.form} aria-labelledby="kv-secret-create">
          <Title3 as="h2" id="kv-secret-create">Create a secret</Title3>
          <Field label="Upload options"><Input value="Manual" readOnly /></Field>
          <Field label="Name" required validationMessage={nameError}><Input value={name} onChange={(_, d) => setName(d.value)} /></Field>
          <Field label="Secret value" required><Input type="password" value={value} onChange={(_, d) => setValue(d.value)} /></Field>
          <Field label="Content type (optional)"><Input value={contentType} onChange={(_, d) => setContentType(d.value)} /></Field>
          <Checkbox label="Enabled" checked={enabled} onChange={(_, d) => setEnabled(!!d.checked)} />
          <div className={s.nav}>
            <Button appearance="primary" disabled={busy || !NAME.test(name) || !value} onClick={() => void create()}>Create</Button>
            <Button onClick={() => setCreating(false)}>Cancel</Button>
          </div>
        </section>
      )}
      {(vault.loading || list.loading) && !list.data && <Spinner label="Loading secrets" />}
      {list.data && list.data.length === 0 && <Text>There are no secrets available.</Text>}
      {list.data && list.data.length > 0 && (
        <div className={s.table}>
          <Table aria-label="Secrets" size="small">
            <TableHeader><TableRow><TableHeaderCell>Name</TableHeaderCell><TableHeaderCell>Type</TableHeaderCell><TableHeaderCell>Status</TableHeaderCell><TableHeaderCell>Expiration date</TableHeaderCell></TableRow></TableHeader>
            <TableBody>
              {list.data.map((it) => {
                const n = kvIdParts(it.id).name;
                return (
                  <TableRow key={it.id}>
                    <TableCell className={s.cell}><Button appearance="transparent" onClick={() => setOpen(n)}>{n}</Button></TableCell>
                    <TableCell className={s.cell}>{it.contentType ?? ''}</TableCell>
                    <TableCell>{it.attributes?.enabled === false ? 'Disabled' : 'Enabled'}</TableCell>
                    <TableCell>{formatEpoch(it.attributes?.exp)}</TableCell>
                  </TableRow>
                );
              })}
            </TableBody>
          </Table>
        </div>
      )}
      {open && <Versions title={`${open}: versions`} items={versions.data} loading={versions.loading} />}
    </Blade>
  );
}

export function Versions({ title, items, loading }: { title: string; items: KvItem[] | undefined; loading: boolean }) {
  const s = useKvStyles();
  return (
    <section aria-label={title}>
      <Title3 as="h2">{title}</Title3>
      {loading && !items && <Spinner label="Loading versions" />}
      {items && (
        <div className={s.table}>
          <Table aria-label={title} size="small">
            <TableHeader><TableRow><TableHeaderCell>Version</TableHeaderCell><TableHeaderCell>Status</TableHeaderCell><TableHeaderCell>Activation date</TableHeaderCell><TableHeaderCell>Expiration date</TableHeaderCell></TableRow></TableHeader>
            <TableBody>
              {[...items].sort((a, b) => (b.attributes?.created ?? 0) - (a.attributes?.created ?? 0)).map((v) => (
                <TableRow key={v.id}>
                  <TableCell className={s.cell}>{kvIdParts(v.id).version}</TableCell>
                  <TableCell>{v.attributes?.enabled === false ? 'Disabled' : 'Enabled'}</TableCell>
                  <TableCell>{formatEpoch(v.attributes?.nbf)}</TableCell>
                  <TableCell>{formatEpoch(v.attributes?.exp)}</TableCell>
                </TableRow>
              ))}
            </TableBody>
          </Table>
        </div>
      )}
    </section>
  );
}
