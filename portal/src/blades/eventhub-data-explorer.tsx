// An event hub's Data Explorer: its partitions, and the events arriving from now on, live (AMQP over the
// namespace's WebSocket endpoint, api/eventhubs.ts). Receiving needs the Listen data action (Azure Event
// Hubs Data Receiver or Owner of the data): the service's refusal is shown as it comes.
import { useEffect, useRef, useState } from 'react';
import { Button, makeStyles, MessageBar, MessageBarBody, Spinner, Table, TableBody, TableCell, TableHeader, TableHeaderCell, TableRow, Text, Title3, tokens } from '@fluentui/react-components';
import { PlayRegular, StopRegular } from '@fluentui/react-icons';
import { parseResourceId } from '../api/arm-types';
import { EH_API, watchEvents, type EventHub, type LiveEvent, type LiveView, type Namespace } from '../api/eventhubs';
import { usePortal } from '../app/context';
import { useAsync } from '../app/use-async';
import { Blade } from '../components/Blade';
import { ErrorBar } from '../components/ErrorBar';
import { ValueField } from '../components/Field';
import type { BladeProps } from './registry';

const useStyles = makeStyles({
  table: { overflowX: 'auto', maxWidth: '100%' },
  cell: { overflowWrap: 'anywhere' },
  status: { color: tokens.colorNeutralForeground3 },
});
/** Events kept on screen, newest first. */
const KEEP = 200;

export default function EventHubDataExplorer({ resourceId }: BladeProps) {
  const { api } = usePortal();
  const s = useStyles();
  const nsId = resourceId.replace(/\/eventhubs\/[^/]+$/i, '');
  const hub = useAsync(() => api.arm.get<EventHub>(resourceId, EH_API), [resourceId]);
  const ns = useAsync(() => api.arm.get<Namespace>(nsId, EH_API), [nsId]);
  const [events, setEvents] = useState<LiveEvent[]>([]);
  const [state, setState] = useState<'stopped' | 'connecting' | 'receiving'>('stopped');
  const [failure, setFailure] = useState<string>();
  const live = useRef<LiveView | undefined>(undefined);
  useEffect(() => () => live.current?.close(), []);

  const start = async () => {
    if (!ns.data || !hub.data) return;
    setFailure(undefined); setEvents([]); setState('connecting');
    try {
      live.current = await watchEvents(api, ns.data, hub.data,
        (e) => setEvents((list) => [e, ...list].slice(0, KEEP)),
        (m) => { setFailure(m); setState('stopped'); live.current?.close(); live.current = undefined; });
      setState((st) => (st === 'connecting' ? 'receiving' : st));
    } catch (e) { setFailure(e instanceof Error ? e.message : String(e)); setState('stopped'); }
  };
  const stop = () => { live.current?.close(); live.current = undefined; setState('stopped'); };

  return (
    <Blade title="Data Explorer" subtitle={`Event Hub ${parseResourceId(resourceId).name}`} commands={
      state === 'stopped'
        ? <Button icon={<PlayRegular />} appearance="primary" disabled={!ns.data || !hub.data} onClick={() => void start()}>View events</Button>
        : <Button icon={<StopRegular />} onClick={stop}>Stop</Button>
    }>
      <ErrorBar error={hub.error ?? ns.error} />
      {failure && <MessageBar intent="error" role="alert"><MessageBarBody>{failure}</MessageBarBody></MessageBar>}
      {hub.loading && !hub.data && <Spinner label="Loading" />}
      {hub.data && (
        <>
          <ValueField label="Partition count" value={String(hub.data.properties?.partitionCount ?? '')} />
          <ValueField label="Partition IDs" value={(hub.data.properties?.partitionIds ?? []).join(', ')} />
        </>
      )}
      <Title3 as="h2">Events</Title3>
      <Text className={s.status} role="status">{state === 'receiving' ? `Receiving events sent from now on (${events.length} shown).` : state === 'connecting' ? 'Connecting…' : 'Stopped.'}</Text>
      {events.length > 0 && (
        <div className={s.table}>
          <Table aria-label="Events" size="small">
            <TableHeader><TableRow><TableHeaderCell>Partition</TableHeaderCell><TableHeaderCell>Sequence number</TableHeaderCell><TableHeaderCell>Enqueued time</TableHeaderCell><TableHeaderCell>Body</TableHeaderCell><TableHeaderCell>Properties</TableHeaderCell></TableRow></TableHeader>
            <TableBody>
              {events.map((e) => (
                <TableRow key={`${e.partition}:${e.sequenceNumber}`}>
                  <TableCell>{e.partition}</TableCell>
                  <TableCell>{e.sequenceNumber}</TableCell>
                  <TableCell className={s.cell}>{e.enqueuedTime}</TableCell>
                  <TableCell className={s.cell}>{e.body}</TableCell>
                  <TableCell className={s.cell}>{e.properties}</TableCell>
                </TableRow>
              ))}
            </TableBody>
          </Table>
        </div>
      )}
    </Blade>
  );
}
