// API Management > Loggers: the instance's loggers (Event Hubs, Application Insights, Azure Monitor) with
// their non-secret settings, and "+ Add Event Hub logger" with a managed identity: the hub, the
// namespace's endpoint address, and the identity (system-assigned, or a user-assigned one's client id).
import { useState } from 'react';
import { Button, Dropdown, Field, Input, makeStyles, Option, Spinner, Table, TableBody, TableCell, TableHeader, TableHeaderCell, TableRow, Text } from '@fluentui/react-components';
import { AddRegular, ArrowClockwiseRegular } from '@fluentui/react-icons';
import { APIM_VERSION, APIM_WRITE, listChildren, type LoggerProperties, type ServiceResource } from '../api/apim';
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

const TYPE_LABELS: Record<string, string> = { azureEventHub: 'Azure Event Hub', applicationInsights: 'Application Insights', azureMonitor: 'Azure Monitor' };

/** What a logger sends to, without secrets (connection strings are kept as {{named value}} references). */
function target(p: LoggerProperties | undefined): string {
  const c = p?.credentials ?? {};
  if (p?.loggerType === 'azureEventHub') {
    const where = c.endpointAddress ? `${c.name ?? ''} at ${c.endpointAddress}` : `${c.name ?? ''} (connection string)`;
    const who = c.identityClientId ? `, identity ${c.identityClientId === 'SystemAssigned' ? 'system-assigned' : c.identityClientId}` : '';
    return where + who;
  }
  return p?.resourceId ?? '';
}

export default function ApimLoggers({ resourceId }: BladeProps) {
  const { api } = usePortal();
  const s = useStyles();
  const list = useAsync(() => listChildren<LoggerProperties>(api, resourceId, 'loggers'), [resourceId]);
  const [adding, setAdding] = useState(false);
  return (
    <Blade title="Loggers" commands={<>
      <PermissionButton scope={resourceId} action={APIM_WRITE} appearance="primary" icon={<AddRegular />} onClick={() => setAdding(true)}>Add Event Hub logger</PermissionButton>
      <Button icon={<ArrowClockwiseRegular />} onClick={list.reload}>Refresh</Button>
    </>}>
      <ErrorBar error={list.error} />
      {list.loading && !list.data && <Spinner label="Loading loggers" />}
      {list.data && list.data.length === 0 && <Text>No loggers to display.</Text>}
      {list.data && list.data.length > 0 && (
        <ScrollRegion label="Loggers table">
          <Table aria-label="Loggers" size="small" style={{ minWidth: 700 }}>
            <TableHeader>
              <TableRow>
                <TableHeaderCell>Name</TableHeaderCell>
                <TableHeaderCell>Type</TableHeaderCell>
                <TableHeaderCell>Destination</TableHeaderCell>
                <TableHeaderCell>Description</TableHeaderCell>
                <TableHeaderCell>Buffered</TableHeaderCell>
              </TableRow>
            </TableHeader>
            <TableBody>
              {list.data.map((l) => (
                <TableRow key={l.id}>
                  <TableCell className={s.cell}>{l.name}</TableCell>
                  <TableCell>{TYPE_LABELS[l.properties?.loggerType ?? ''] ?? l.properties?.loggerType}</TableCell>
                  <TableCell className={s.cell}>{target(l.properties)}</TableCell>
                  <TableCell className={s.cell}>{l.properties?.description ?? ''}</TableCell>
                  <TableCell>{l.properties?.isBuffered === false ? 'No' : 'Yes'}</TableCell>
                </TableRow>
              ))}
            </TableBody>
          </Table>
        </ScrollRegion>
      )}
      {adding && <AddLogger serviceId={resourceId} onClose={() => setAdding(false)} onCreated={() => { setAdding(false); list.reload(); }} />}
    </Blade>
  );
}

function AddLogger({ serviceId, onClose, onCreated }: { serviceId: string; onClose(): void; onCreated(): void }) {
  const { api } = usePortal();
  const service = useAsync(() => api.arm.get<ServiceResource>(serviceId, APIM_VERSION), [serviceId]);
  const [name, setName] = useState('');
  const [description, setDescription] = useState('');
  const [hub, setHub] = useState('');
  const [endpoint, setEndpoint] = useState('');
  const [identity, setIdentity] = useState('SystemAssigned');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<AzureApiError>();
  // The instance's identities: system-assigned (when on) and each user-assigned one by client id.
  const ident = service.data?.identity;
  const choices = [
    ...(/SystemAssigned/i.test(ident?.type ?? '') ? [{ value: 'SystemAssigned', label: 'System assigned' }] : []),
    ...Object.entries(ident?.userAssignedIdentities ?? {}).filter(([, v]) => v.clientId).map(([id, v]) => ({ value: v.clientId!, label: `User assigned: ${id.split('/').pop()} (${v.clientId})` })),
  ];
  const submit = async () => {
    setBusy(true); setError(undefined);
    try {
      await api.arm.put(`${serviceId}/loggers/${encodeURIComponent(name)}`, APIM_VERSION, {
        properties: { loggerType: 'azureEventHub', description: description || undefined, credentials: { name: hub, endpointAddress: endpoint, identityClientId: identity } },
      });
      onCreated();
    } catch (e) { setError(asAzureApiError(e)); } finally { setBusy(false); }
  };
  return (
    <FormDialog open title="Add Event Hub logger" onClose={onClose} onSubmit={() => void submit()} busy={busy} error={error} submitLabel="Create" scope={serviceId}>
      <ErrorBar error={service.error} />
      <Field label="Logger name" required><Input value={name} onChange={(_, d) => setName(d.value)} /></Field>
      <Field label="Description"><Input value={description} onChange={(_, d) => setDescription(d.value)} /></Field>
      <Field label="Event hub name" required><Input value={hub} onChange={(_, d) => setHub(d.value)} /></Field>
      <Field label="Endpoint address" required hint="The namespace's host name, e.g. contoso.servicebus.windows.net"><Input value={endpoint} onChange={(_, d) => setEndpoint(d.value)} /></Field>
      <Field label="Managed identity" hint={choices.length === 0 ? 'The instance has no managed identity: turn one on under Security > Managed identities.' : undefined}>
        <Dropdown value={choices.find((c) => c.value === identity)?.label ?? identity} selectedOptions={[identity]} onOptionSelect={(_, d) => setIdentity(d.optionValue ?? 'SystemAssigned')}>
          {(choices.length > 0 ? choices : [{ value: 'SystemAssigned', label: 'System assigned' }]).map((c) => <Option key={c.value} value={c.value}>{c.label}</Option>)}
        </Dropdown>
      </Field>
    </FormDialog>
  );
}
