// Event Hubs: a namespace's hubs (name, status, partitions, retention) and "+ Event Hub" to create one.
import { useState } from 'react';
import { Button, Field, Input, makeStyles, MessageBar, MessageBarBody, SpinButton, Spinner, Table, TableBody, TableCell, TableHeader, TableHeaderCell, TableRow, Text, Title3, tokens } from '@fluentui/react-components';
import { AddRegular, ArrowClockwiseRegular } from '@fluentui/react-icons';
import { EH_API, NS_TYPE, type EventHub } from '../api/eventhubs';
import { asAzureApiError, type AzureApiError } from '../api/errors';
import { usePortal } from '../app/context';
import { resourceRoute } from '../app/router';
import { useAsync } from '../app/use-async';
import { Blade } from '../components/Blade';
import { ErrorBar } from '../components/ErrorBar';
import { PermissionButton } from '../components/PermissionButton';
import { PortalLink } from '../components/PortalLink';
import type { BladeProps } from './registry';

const useStyles = makeStyles({
  form: { display: 'flex', flexDirection: 'column', gap: tokens.spacingVerticalS, border: `1px solid ${tokens.colorNeutralStroke2}`, padding: tokens.spacingHorizontalM, borderRadius: tokens.borderRadiusMedium, maxWidth: '560px' },
  nav: { display: 'flex', flexWrap: 'wrap', gap: tokens.spacingHorizontalS },
  table: { overflowX: 'auto', maxWidth: '100%' },
});
/** Azure's rule for hub names: letters, digits, periods, hyphens and underscores, starting and ending with a letter or digit. */
const NAME = /^[a-zA-Z0-9](?:[a-zA-Z0-9._-]{0,254}[a-zA-Z0-9])?$/;

export default function EventHubsList({ resourceId }: BladeProps) {
  const { api } = usePortal();
  const s = useStyles();
  const list = useAsync(() => api.arm.list<EventHub>(`${resourceId}/eventhubs`, EH_API), [resourceId]);
  const [creating, setCreating] = useState(false);
  const [name, setName] = useState('');
  const [partitions, setPartitions] = useState(2);
  const [retention, setRetention] = useState(1);
  const [error, setError] = useState<AzureApiError>();
  const [busy, setBusy] = useState(false);
  const [done, setDone] = useState<string>();
  const create = async () => {
    setBusy(true); setError(undefined); setDone(undefined);
    try {
      await api.arm.put(`${resourceId}/eventhubs/${encodeURIComponent(name)}`, EH_API, { properties: { partitionCount: partitions, messageRetentionInDays: retention } });
      setDone(`The event hub '${name}' was created.`);
      setCreating(false); setName(''); list.reload();
    } catch (e) { setError(asAzureApiError(e)); }
    setBusy(false);
  };
  return (
    <Blade title="Event Hubs" commands={<>
      <PermissionButton scope={resourceId} action={`${NS_TYPE}/eventhubs/write`} icon={<AddRegular />} disabled={creating} onClick={() => { setDone(undefined); setCreating(true); }}>Event Hub</PermissionButton>
      <Button icon={<ArrowClockwiseRegular />} onClick={list.reload}>Refresh</Button>
    </>}>
      <ErrorBar error={list.error ?? error} />
      {done && <MessageBar intent="success"><MessageBarBody>{done}</MessageBarBody></MessageBar>}
      {creating && (
        <section className={s.form} aria-labelledby="eh-create">
          <Title3 as="h2" id="eh-create">Create Event Hub</Title3>
          <Field label="Name" required validationMessage={name && !NAME.test(name) ? 'Letters, digits, periods, hyphens and underscores; start and end with a letter or digit.' : undefined}>
            <Input value={name} onChange={(_, d) => setName(d.value)} />
          </Field>
          <Field label="Partition count"><SpinButton min={1} max={32} value={partitions} onChange={(_, d) => setPartitions(Number(d.value ?? d.displayValue ?? partitions) || 1)} /></Field>
          <Field label="Retention time (days)"><SpinButton min={1} max={7} value={retention} onChange={(_, d) => setRetention(Number(d.value ?? d.displayValue ?? retention) || 1)} /></Field>
          <div className={s.nav}>
            <PermissionButton scope={resourceId} action={`${NS_TYPE}/eventhubs/write`} appearance="primary" disabled={busy || !NAME.test(name)} onClick={() => void create()}>Create</PermissionButton>
            <Button onClick={() => setCreating(false)}>Cancel</Button>
          </div>
        </section>
      )}
      {list.loading && !list.data && <Spinner label="Loading event hubs" />}
      {list.data && list.data.length === 0 && <Text>No event hubs yet.</Text>}
      {list.data && list.data.length > 0 && (
        <div className={s.table}>
          <Table aria-label="Event Hubs" size="small">
            <TableHeader><TableRow><TableHeaderCell>Name</TableHeaderCell><TableHeaderCell>Status</TableHeaderCell><TableHeaderCell>Partition count</TableHeaderCell><TableHeaderCell>Retention</TableHeaderCell></TableRow></TableHeader>
            <TableBody>
              {list.data.map((h) => (
                <TableRow key={h.id}>
                  <TableCell><PortalLink to={resourceRoute(h.id, 'dataexplorer')}>{h.name}</PortalLink></TableCell>
                  <TableCell>{h.properties?.status ?? ''}</TableCell>
                  <TableCell>{h.properties?.partitionCount ?? ''}</TableCell>
                  <TableCell>{h.properties?.messageRetentionInDays ? `${h.properties.messageRetentionInDays} day(s)` : ''}</TableCell>
                </TableRow>
              ))}
            </TableBody>
          </Table>
        </div>
      )}
    </Blade>
  );
}
