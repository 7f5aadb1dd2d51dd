// API Management > Backends: the instance's backends (name, type, runtime URL, description) and
// "+ Create new backend" (a custom URL, HTTP protocol), PUT backends/{name}.
import { useState } from 'react';
import { Button, Field, Input, makeStyles, Spinner, Table, TableBody, TableCell, TableHeader, TableHeaderCell, TableRow, Text } from '@fluentui/react-components';
import { AddRegular, ArrowClockwiseRegular } from '@fluentui/react-icons';
import { APIM_VERSION, APIM_WRITE, listChildren, type BackendProperties } from '../api/apim';
import { asAzureApiError, type AzureApiError } from '../api/errors';
import { usePortal } from '../app/context';
import { useAsync } from '../app/use-async';
import { Blade } from '../components/Blade';
import { ErrorBar } from '../components/ErrorBar';
import { PermissionButton } from '../components/PermissionButton';
import { FormDialog } from '../components/apim/ApiDialogs';
import { ScrollRegion } from '../components/apim/ScrollRegion';
import type { BladeProps } from './registry';

const useStyles = makeStyles({ cell: { overflowWrap: 'anywhere' } });

export default function ApimBackends({ resourceId }: BladeProps) {
  const { api } = usePortal();
  const s = useStyles();
  const list = useAsync(() => listChildren<BackendProperties>(api, resourceId, 'backends'), [resourceId]);
  const [adding, setAdding] = useState(false);
  return (
    <Blade title="Backends" commands={<>
      <PermissionButton scope={resourceId} action={APIM_WRITE} appearance="primary" icon={<AddRegular />} onClick={() => setAdding(true)}>Create new backend</PermissionButton>
      <Button icon={<ArrowClockwiseRegular />} onClick={list.reload}>Refresh</Button>
    </>}>
      <ErrorBar error={list.error} />
      {list.loading && !list.data && <Spinner label="Loading backends" />}
      {list.data && list.data.length === 0 && <Text>No backends to display.</Text>}
      {list.data && list.data.length > 0 && (
        <ScrollRegion label="Backends table">
          <Table aria-label="Backends" size="small" style={{ minWidth: 560 }}>
            <TableHeader>
              <TableRow>
                <TableHeaderCell>Name</TableHeaderCell>
                <TableHeaderCell>Type</TableHeaderCell>
                <TableHeaderCell>Runtime URL</TableHeaderCell>
                <TableHeaderCell>Description</TableHeaderCell>
              </TableRow>
            </TableHeader>
            <TableBody>
              {list.data.map((b) => (
                <TableRow key={b.id}>
                  <TableCell className={s.cell}>{b.name}</TableCell>
                  <TableCell>{b.properties?.protocol === 'soap' ? 'SOAP' : 'Custom URL'}</TableCell>
                  <TableCell className={s.cell}>{b.properties?.url}</TableCell>
                  <TableCell className={s.cell}>{b.properties?.description ?? ''}</TableCell>
                </TableRow>
              ))}
            </TableBody>
          </Table>
        </ScrollRegion>
      )}
      {adding && <AddBackend serviceId={resourceId} onClose={() => setAdding(false)} onCreated={() => { setAdding(false); list.reload(); }} />}
    </Blade>
  );
}

function AddBackend({ serviceId, onClose, onCreated }: { serviceId: string; onClose(): void; onCreated(): void }) {
  const { api } = usePortal();
  const [name, setName] = useState('');
  const [description, setDescription] = useState('');
  const [url, setUrl] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<AzureApiError>();
  const submit = async () => {
    setBusy(true); setError(undefined);
    try {
      await api.arm.put(`${serviceId}/backends/${encodeURIComponent(name)}`, APIM_VERSION, { properties: { url, protocol: 'http', description: description || undefined } });
      onCreated();
    } catch (e) { setError(asAzureApiError(e)); } finally { setBusy(false); }
  };
  return (
    <FormDialog open title="Create new backend" onClose={onClose} onSubmit={() => void submit()} busy={busy} error={error} submitLabel="Create" scope={serviceId}>
      <Field label="Name" required><Input value={name} onChange={(_, d) => setName(d.value)} /></Field>
      <Field label="Description"><Input value={description} onChange={(_, d) => setDescription(d.value)} /></Field>
      <Field label="Runtime URL" required hint="Backend hosting type: Custom URL (HTTP)."><Input type="url" value={url} onChange={(_, d) => setUrl(d.value)} /></Field>
    </FormDialog>
  );
}
