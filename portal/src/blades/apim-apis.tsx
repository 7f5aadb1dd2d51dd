// API Management > APIs: the instance's APIs ("All APIs" first), "+ Add API" and "Import"; for All APIs
// the service policy; for an API its operations (Design: the policy of the API or of one operation in
// the code editor), its settings, and the Test tab. The selection is in the query (?api=&operation=&tab=)
// so a view can be linked and the back button works.
import { useState } from 'react';
import {
  Button, makeStyles, Spinner, Tab, TabList, Table, TableBody, TableCell, TableHeader, TableHeaderCell, TableRow, Text, tokens,
} from '@fluentui/react-components';
import { AddRegular, ArrowClockwiseRegular, ArrowUploadRegular } from '@fluentui/react-icons';
import { APIM_VERSION, APIM_WRITE, listChildren, type Api, type ApiProperties, type Operation, type OperationProperties, type ServiceResource } from '../api/apim';
import { usePortal } from '../app/context';
import { navigate, resourceRoute } from '../app/router';
import { useAsync } from '../app/use-async';
import { Blade } from '../components/Blade';
import { ErrorBar } from '../components/ErrorBar';
import { ValueField } from '../components/Field';
import { PermissionButton } from '../components/PermissionButton';
import { PortalLink } from '../components/PortalLink';
import { AddApiDialog, ImportApiDialog } from '../components/apim/ApiDialogs';
import { PolicyEditor } from '../components/apim/PolicyEditor';
import { TestConsole } from '../components/apim/TestConsole';
import { ScrollRegion } from '../components/apim/ScrollRegion';
import type { BladeProps } from './registry';

const useStyles = makeStyles({
  layout: { display: 'flex', flexWrap: 'wrap', gap: tokens.spacingHorizontalL, alignItems: 'flex-start' },
  nav: { flexBasis: '220px', flexGrow: 1, maxWidth: '100%', minWidth: 0 },
  main: { flexBasis: '480px', flexGrow: 4, minWidth: 0, display: 'flex', flexDirection: 'column', gap: tokens.spacingVerticalM },
  list: { listStyleType: 'none', margin: 0, padding: 0, display: 'flex', flexDirection: 'column', gap: '2px' },
  item: { overflowWrap: 'anywhere', paddingTop: '4px', paddingBottom: '4px' },
  selected: { fontWeight: tokens.fontWeightSemibold },
  cell: { overflowWrap: 'anywhere' },
});

function route(id: string, q: Record<string, string | undefined>): string {
  const qs = new URLSearchParams(Object.entries(q).filter((e): e is [string, string] => !!e[1])).toString();
  return resourceRoute(id, 'apis') + (qs ? `?${qs}` : '');
}

export default function ApimApis({ resourceId, query }: BladeProps) {
  const { api } = usePortal();
  const s = useStyles();
  const selected = query.get('api') ?? '';
  const operation = query.get('operation') ?? '';
  const tab = query.get('tab') ?? 'design';
  const [dialog, setDialog] = useState<'add' | 'import' | undefined>();
  const service = useAsync(() => api.arm.get<ServiceResource>(resourceId, APIM_VERSION), [resourceId]);
  const apis = useAsync(() => listChildren<ApiProperties>(api, resourceId, 'apis'), [resourceId]);
  const current = apis.data?.find((a) => a.name === selected);
  const created = (name: string) => { setDialog(undefined); apis.reload(); navigate(route(resourceId, { api: name })); };

  return (
    <Blade title="APIs" commands={<>
      <PermissionButton scope={resourceId} action={APIM_WRITE} appearance="primary" icon={<AddRegular />} onClick={() => setDialog('add')}>Add API</PermissionButton>
      <PermissionButton scope={resourceId} action={APIM_WRITE} icon={<ArrowUploadRegular />} onClick={() => setDialog('import')}>Import</PermissionButton>
      <Button icon={<ArrowClockwiseRegular />} onClick={apis.reload}>Refresh</Button>
    </>}>
      <ErrorBar error={apis.error} />
      <ErrorBar error={service.error} />
      <div className={s.layout}>
        <nav className={s.nav} aria-label="APIs of the instance">
          {apis.loading && !apis.data && <Spinner size="tiny" label="Loading APIs" />}
          <ul className={s.list}>
            <li className={`${s.item} ${selected === '' ? s.selected : ''}`}>
              <PortalLink to={route(resourceId, {})} label={selected === '' ? 'All APIs (selected)' : undefined}>All APIs</PortalLink>
            </li>
            {(apis.data ?? []).map((a) => (
              <li key={a.id} className={`${s.item} ${a.name === selected ? s.selected : ''}`}>
                <PortalLink to={route(resourceId, { api: a.name })}>{a.properties?.displayName ?? a.name}</PortalLink>
              </li>
            ))}
          </ul>
          {apis.data && apis.data.length === 0 && <Text>No APIs yet: add or import one.</Text>}
        </nav>
        <div className={s.main}>
          {selected === '' && (
            <>
              <h2>All APIs</h2>
              <Text>Policies here apply to every API of the instance (the service policy).</Text>
              <PolicyEditor serviceId={resourceId} scopeLabel="All APIs" />
            </>
          )}
          {selected !== '' && apis.data && !current && <Text role="alert">API '{selected}' was not found.</Text>}
          {current && (
            <ApiView serviceId={resourceId} api={current} gatewayUrl={service.data?.properties?.gatewayUrl} operation={operation} tab={tab} />
          )}
        </div>
      </div>
      {dialog === 'add' && <AddApiDialog serviceId={resourceId} open onClose={() => setDialog(undefined)} onCreated={created} />}
      {dialog === 'import' && <ImportApiDialog serviceId={resourceId} open onClose={() => setDialog(undefined)} onCreated={created} />}
    </Blade>
  );
}

function ApiView({ serviceId, api: a, gatewayUrl, operation, tab }: { serviceId: string; api: Api; gatewayUrl?: string; operation: string; tab: string }) {
  const { api } = usePortal();
  const s = useStyles();
  const ops = useAsync(() => listChildren<OperationProperties>(api, serviceId, `apis/${a.name}/operations`), [serviceId, a.name]);
  const op = ops.data?.find((o) => o.name === operation);
  const go = (q: Record<string, string | undefined>) => navigate(route(serviceId, { api: a.name, ...q }));
  return (
    <>
      <h2 style={{ overflowWrap: 'anywhere' }}>{a.properties?.displayName ?? a.name}</h2>
      <TabList selectedValue={tab} onTabSelect={(_, d) => go({ tab: d.value === 'design' ? undefined : String(d.value), operation: operation || undefined })} aria-label="API">
        <Tab value="design">Design</Tab>
        <Tab value="settings">Settings</Tab>
        <Tab value="test">Test</Tab>
      </TabList>
      <ErrorBar error={ops.error} />
      {ops.loading && !ops.data && <Spinner label="Loading operations" />}
      {tab === 'design' && ops.data && (
        <>
          <OperationsTable ops={ops.data} selected={operation} onSelect={(name) => go({ operation: name || undefined })} />
          <h3>{op ? `Policies: ${op.properties?.displayName}` : 'Policies: All operations'}</h3>
          <PolicyEditor serviceId={serviceId} apiName={a.name} operationName={op?.name}
            scopeLabel={op ? `operation ${op.properties?.displayName}` : `API ${a.properties?.displayName ?? a.name}, all operations`} />
        </>
      )}
      {tab === 'settings' && (
        <section aria-label="Settings" className={s.main}>
          <ValueField label="Display name" value={a.properties?.displayName} />
          <ValueField label="Name" value={a.name} />
          <ValueField label="Web service URL" value={a.properties?.serviceUrl} />
          <ValueField label="API URL suffix" value={a.properties?.path} />
          <ValueField label="Base URL" value={gatewayUrl ? `${gatewayUrl.replace(/\/+$/, '')}/${a.properties?.path ?? ''}` : undefined} copy />
          <ValueField label="Subscription required" value={a.properties?.subscriptionRequired === false ? 'No' : 'Yes'} />
          <ValueField label="Resource ID" value={a.id} copy />
        </section>
      )}
      {tab === 'test' && ops.data && <TestConsole serviceId={serviceId} gatewayUrl={gatewayUrl} api={a} operations={ops.data} />}
    </>
  );
}

function OperationsTable({ ops, selected, onSelect }: { ops: Operation[]; selected: string; onSelect(name: string): void }) {
  const s = useStyles();
  return (
    <ScrollRegion label="Operations table">
      <Table aria-label="Operations" size="small" style={{ minWidth: 420 }}>
        <TableHeader>
          <TableRow>
            <TableHeaderCell>Operation</TableHeaderCell>
            <TableHeaderCell>Method</TableHeaderCell>
            <TableHeaderCell>URL template</TableHeaderCell>
          </TableRow>
        </TableHeader>
        <TableBody>
          <TableRow>
            <TableCell><Button appearance={selected === '' ? 'primary' : 'subtle'} size="small" aria-current={selected === '' ? 'true' : undefined} onClick={() => onSelect('')}>All operations</Button></TableCell>
            <TableCell /><TableCell />
          </TableRow>
          {ops.map((o) => (
            <TableRow key={o.id}>
              <TableCell className={s.cell}>
                <Button appearance={o.name === selected ? 'primary' : 'subtle'} size="small" aria-current={o.name === selected ? 'true' : undefined} onClick={() => onSelect(o.name)}>{o.properties?.displayName ?? o.name}</Button>
              </TableCell>
              <TableCell>{o.properties?.method}</TableCell>
              <TableCell className={s.cell}>{o.properties?.urlTemplate}</TableCell>
            </TableRow>
          ))}
        </TableBody>
      </Table>
    </ScrollRegion>
  );
}
