// A deployment's Overview: its state ("Your deployment is in progress / complete / failed"), the
// per-resource progress from its deployment operations (polled until the deployment ends), and outputs.
import { useEffect, useState } from 'react';
import { Badge, Spinner, Table, TableBody, TableCell, TableHeader, TableHeaderCell, TableRow, Text, Title3 } from '@fluentui/react-components';
import { API_VERSIONS, parseResourceId } from '../api/arm-types';
import { AzureApiError, asAzureApiError, type ErrorDetail } from '../api/errors';
import { usePortal } from '../app/context';
import { resourceRoute } from '../app/router';
import { Blade } from '../components/Blade';
import { ErrorBar } from '../components/ErrorBar';
import { ValueField } from '../components/Field';
import { PortalLink } from '../components/PortalLink';
import type { BladeProps } from './registry';

interface Deployment {
  id: string;
  name: string;
  properties: {
    provisioningState: string;
    timestamp?: string;
    duration?: string;
    outputs?: Record<string, { type: string; value?: unknown }>;
    error?: ErrorDetail;
  };
}

interface Operation {
  id: string;
  operationId: string;
  properties: {
    provisioningState: string;
    timestamp?: string;
    duration?: string;
    statusCode?: string;
    statusMessage?: { error?: ErrorDetail } | unknown;
    targetResource?: { id?: string; resourceType?: string; resourceName?: string };
  };
}

const TERMINAL = ['Succeeded', 'Failed', 'Canceled'];
const POLL_MS = 1500;

function statusText(op: Operation): string {
  const msg = op.properties.statusMessage as { error?: ErrorDetail } | undefined;
  return msg?.error ? `${msg.error.code}: ${msg.error.message}` : op.properties.statusCode ?? '';
}

export default function DeploymentOverview({ resourceId }: BladeProps) {
  const { api } = usePortal();
  const name = parseResourceId(resourceId).name;
  const [deployment, setDeployment] = useState<Deployment>();
  const [operations, setOperations] = useState<Operation[]>([]);
  const [error, setError] = useState<AzureApiError>();

  useEffect(() => {
    let live = true;
    let timer: ReturnType<typeof setTimeout> | undefined;
    const poll = async () => {
      try {
        const [d, ops] = await Promise.all([
          api.arm.get<Deployment>(resourceId, API_VERSIONS.deployments),
          api.arm.list<Operation>(`${resourceId}/operations`, API_VERSIONS.deployments),
        ]);
        if (!live) return;
        setDeployment(d);
        setOperations(ops.filter((o) => o.properties.targetResource?.id));
        setError(undefined);
        if (!TERMINAL.includes(d.properties.provisioningState)) timer = setTimeout(() => void poll(), POLL_MS);
      } catch (e) {
        if (live) { setError(asAzureApiError(e)); timer = setTimeout(() => void poll(), POLL_MS * 2); }
      }
    };
    void poll();
    return () => { live = false; if (timer) clearTimeout(timer); };
  }, [api, resourceId]);

  const state = deployment?.properties.provisioningState;
  const headline = !state ? undefined
    : state === 'Succeeded' ? 'Your deployment is complete'
      : state === 'Failed' ? 'Your deployment failed'
        : state === 'Canceled' ? 'Your deployment was canceled' : 'Your deployment is in progress';
  const outputs = Object.entries(deployment?.properties.outputs ?? {});

  return (
    <Blade title={`${name} | Overview`} subtitle="Deployment">
      <ErrorBar error={error} />
      {!deployment && !error && <Spinner label="Loading deployment" />}
      {deployment && (
        <>
          <Title3 as="h2" aria-live="polite">{headline}</Title3>
          {!TERMINAL.includes(state ?? '') && <Spinner size="tiny" label={`Deployment state: ${state}`} />}
          <ValueField label="Deployment name" value={deployment.name} />
          <ValueField label="Status" value={state} />
          <ValueField label="Start time" value={deployment.properties.timestamp} />
          {deployment.properties.error && (
            <ErrorBar error={new AzureApiError(0, deployment.properties.error.code, deployment.properties.error.message, deployment.properties.error.details ?? [])} />
          )}
          <Title3 as="h2">Deployment details</Title3>
          {operations.length === 0 ? <Text>No resource operations yet.</Text> : (
            <div style={{ overflowX: 'auto' }}>
              <Table aria-label="Deployment details" size="small">
                <TableHeader>
                  <TableRow>
                    <TableHeaderCell>Resource</TableHeaderCell>
                    <TableHeaderCell>Type</TableHeaderCell>
                    <TableHeaderCell>Status</TableHeaderCell>
                    <TableHeaderCell>Operation details</TableHeaderCell>
                  </TableRow>
                </TableHeader>
                <TableBody>
                  {operations.map((o) => {
                    const t = o.properties.targetResource ?? {};
                    return (
                      <TableRow key={o.operationId}>
                        <TableCell style={{ overflowWrap: 'anywhere' }}>{t.id ? <PortalLink to={resourceRoute(t.id)}>{t.resourceName ?? t.id}</PortalLink> : t.resourceName}</TableCell>
                        <TableCell style={{ overflowWrap: 'anywhere' }}>{t.resourceType}</TableCell>
                        <TableCell><Badge appearance="tint" color={o.properties.provisioningState === 'Succeeded' ? 'success' : o.properties.provisioningState === 'Failed' ? 'danger' : 'informative'}>{o.properties.provisioningState}</Badge></TableCell>
                        <TableCell style={{ overflowWrap: 'anywhere' }}>{statusText(o)}</TableCell>
                      </TableRow>
                    );
                  })}
                </TableBody>
              </Table>
            </div>
          )}
          <Title3 as="h2">Outputs</Title3>
          {outputs.length === 0 ? <Text>{TERMINAL.includes(state ?? '') ? 'This deployment has no outputs.' : 'Outputs appear when the deployment completes.'}</Text> : (
            <div style={{ overflowX: 'auto' }}>
              <Table aria-label="Outputs" size="small">
                <TableHeader>
                  <TableRow><TableHeaderCell>Name</TableHeaderCell><TableHeaderCell>Type</TableHeaderCell><TableHeaderCell>Value</TableHeaderCell></TableRow>
                </TableHeader>
                <TableBody>
                  {outputs.map(([k, v]) => (
                    <TableRow key={k}>
                      <TableCell>{k}</TableCell>
                      <TableCell>{v.type}</TableCell>
                      <TableCell style={{ overflowWrap: 'anywhere' }}>{typeof v.value === 'string' ? v.value : JSON.stringify(v.value)}</TableCell>
                    </TableRow>
                  ))}
                </TableBody>
              </Table>
            </div>
          )}
        </>
      )}
    </Blade>
  );
}
