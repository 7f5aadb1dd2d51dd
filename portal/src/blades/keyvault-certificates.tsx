// Certificates: the vault's certificates through its data plane (list, versions, "+ Generate/Import"
// with Method "Import": a PFX or PEM file and its password).
import { useState } from 'react';
import { Button, Field, Input, MessageBar, MessageBarBody, Spinner, Table, TableBody, TableCell, TableHeader, TableHeaderCell, TableRow, Text, Title3 } from '@fluentui/react-components';
import { AddRegular, ArrowClockwiseRegular } from '@fluentui/react-icons';
import { formatEpoch, KV_DATA_API, kvIdParts, listData, VAULT_API, vaultUri, type KvItem, type Vault } from '../api/keyvault';
import { asAzureApiError, type AzureApiError } from '../api/errors';
import { usePortal } from '../app/context';
import { useAsync } from '../app/use-async';
import { Blade } from '../components/Blade';
import { ErrorBar } from '../components/ErrorBar';
import type { BladeProps } from './registry';
import { useKvStyles, Versions } from './keyvault-secrets';

const NAME = /^[0-9a-zA-Z-]{1,127}$/;
const MAX_FILE = 1024 * 1024;

/** The file as Key Vault's import takes it: PEM as text, PKCS#12 as base64. */
async function readCertificate(file: File): Promise<{ value: string; contentType: string }> {
  const bytes = new Uint8Array(await file.arrayBuffer());
  const text = new TextDecoder('utf-8', { fatal: false }).decode(bytes);
  if (text.includes('-----BEGIN')) return { value: text, contentType: 'application/x-pem-file' };
  let bin = '';
  for (let i = 0; i < bytes.length; i += 0x8000) bin += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  return { value: btoa(bin), contentType: 'application/x-pkcs12' };
}

export default function KeyVaultCertificates({ resourceId }: BladeProps) {
  const { api } = usePortal();
  const s = useKvStyles();
  const vault = useAsync(() => api.arm.get<Vault>(resourceId, VAULT_API), [resourceId]);
  const base = vaultUri(vault.data);
  const list = useAsync(async () => (base ? listData<KvItem>(api, base, 'certificates') : undefined), [base]);
  const [open, setOpen] = useState<string>();
  const versions = useAsync(async () => (base && open ? listData<KvItem>(api, base, `certificates/${encodeURIComponent(open)}/versions`) : undefined), [base, open]);
  const [creating, setCreating] = useState(false);
  const [name, setName] = useState('');
  const [file, setFile] = useState<File>();
  const [password, setPassword] = useState('');
  const [error, setError] = useState<AzureApiError>();
  const [busy, setBusy] = useState(false);
  const [done, setDone] = useState<string>();

  const create = async () => {
    if (!base || !file) return;
    setBusy(true); setError(undefined); setDone(undefined);
    try {
      const { value, contentType } = await readCertificate(file);
      await api.send('keyVault', 'POST', `${base}certificates/${encodeURIComponent(name)}/import?api-version=${KV_DATA_API}`, {
        value, ...(password ? { pwd: password } : {}), policy: { secret_props: { contentType } },
      });
      setDone(`The certificate '${name}' was imported.`);
      setCreating(false); setName(''); setFile(undefined); setPassword('');
      list.reload(); if (open === name) versions.reload();
    } catch (e) { setError(asAzureApiError(e)); }
    setBusy(false);
  };
  const nameError = name && !NAME.test(name) ? 'The name may contain only letters, digits and dashes (up to 127).' : undefined;
  const fileError = file && file.size > MAX_FILE ? 'The file is larger than 1 MB.' : undefined;

  return (
    <Blade title="Certificates" commands={<>
      <Button icon={<AddRegular />} disabled={!base || creating} onClick={() => { setDone(undefined); setCreating(true); }}>Generate/Import</Button>
      <Button icon={<ArrowClockwiseRegular />} onClick={list.reload}>Refresh</Button>
    </>}>
      <ErrorBar error={vault.error ?? list.error ?? versions.error ?? error} />
      {done && <MessageBar intent="success"><MessageBarBody>{done}</MessageBarBody></MessageBar>}
      {creating && (
        <section className={s.form} aria-labelledby="kv-cert-create">
          <Title3 as="h2" id="kv-cert-create">Create a certificate</Title3>
          <Field label="Method of Certificate Creation"><Input value="Import" readOnly /></Field>
          <Field label="Certificate Name" required validationMessage={nameError}><Input value={name} onChange={(_, d) => setName(d.value)} /></Field>
          <Field label="Upload Certificate File" required hint="PFX or PEM file" validationMessage={fileError}>
            <input type="file" aria-label="Upload Certificate File" accept=".pfx,.p12,.pem,.crt,.cer" onChange={(e) => setFile(e.target.files?.[0])} />
          </Field>
          <Field label="Password"><Input type="password" value={password} onChange={(_, d) => setPassword(d.value)} /></Field>
          <div className={s.nav}>
            <Button appearance="primary" disabled={busy || !NAME.test(name) || !file || !!fileError} onClick={() => void create()}>Create</Button>
            <Button onClick={() => setCreating(false)}>Cancel</Button>
          </div>
        </section>
      )}
      {(vault.loading || list.loading) && !list.data && <Spinner label="Loading certificates" />}
      {list.data && list.data.length === 0 && <Text>There are no certificates available.</Text>}
      {list.data && list.data.length > 0 && (
        <div className={s.table}>
          <Table aria-label="Certificates" size="small">
            <TableHeader><TableRow><TableHeaderCell>Name</TableHeaderCell><TableHeaderCell>Thumbprint</TableHeaderCell><TableHeaderCell>Status</TableHeaderCell><TableHeaderCell>Expiration date</TableHeaderCell></TableRow></TableHeader>
            <TableBody>
              {list.data.map((it) => {
                const n = kvIdParts(it.id).name;
                return (
                  <TableRow key={it.id}>
                    <TableCell className={s.cell}><Button appearance="transparent" onClick={() => setOpen(n)}>{n}</Button></TableCell>
                    <TableCell className={s.cell}>{it.x5t ? thumbprint(it.x5t) : ''}</TableCell>
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

/** x5t is base64url of the SHA-1: the portal shows it as hex. */
function thumbprint(x5t: string): string {
  const b = atob(x5t.replace(/-/g, '+').replace(/_/g, '/'));
  return [...b].map((c) => c.charCodeAt(0).toString(16).padStart(2, '0')).join('').toUpperCase();
}
