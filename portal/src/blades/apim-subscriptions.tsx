// API Management > Subscriptions: the instance's subscriptions with their scope and state; keys stay
// hidden (GET never returns them) until "Show/hide keys" reads them through listSecrets; "Regenerate
// primary key" / "Regenerate secondary key" replace one; "+ Add subscription" creates one for all APIs,
// an API or a product.
import { useState } from 'react';
import {
  Button, Checkbox, Dropdown, Field, Input, makeStyles, Option, Spinner, Table, TableBody, TableCell, TableHeader, TableHeaderCell, TableRow, Text, tokens,
} from '@fluentui/react-components';
import { AddRegular, ArrowClockwiseRegular } from '@fluentui/react-icons';
import { APIM_VERSION, APIM_WRITE, listChildren, type ApiProperties, type ProductProperties, type SubscriptionProperties } from '../api/apim';
import type { ArmResource } from '../api/arm-types';
import { asAzureApiError, type AzureApiError } from '../api/errors';
import { usePortal } from '../app/context';
import { useAsync } from '../app/use-async';
import { Blade } from '../components/Blade';
import { ErrorBar } from '../components/ErrorBar';
import { PermissionButton } from '../components/PermissionButton';
import { FormDialog } from '../components/apim/ApiDialogs';
import { ScrollRegion } from '../components/apim/ScrollRegion';
import type { BladeProps } from './registry';

const useStyles = makeStyles({
  cell: { overflowWrap: 'anywhere' },
  key: { fontFamily: tokens.fontFamilyMonospace, overflowWrap: 'anywhere' },
  actions: { display: 'flex', flexWrap: 'wrap', gap: tokens.spacingHorizontalXS },
});

const ACTION = (a: string) => `Microsoft.ApiManagement/service/subscriptions/${a}/action`;
type Keys = { primaryKey: string; secondaryKey: string };

/** The scope as Azure's portal shows it: "All APIs", "API: x", "Product: y". */
function scopeLabel(serviceId: string, scope: string): string {
  const rel = scope.toLowerCase().startsWith(serviceId.toLowerCase()) ? scope.slice(serviceId.length) : scope;
  if (/^\/apis\/?$/i.test(rel)) return 'All APIs';
  const m = /^\/(apis|products)\/([^/]+)$/i.exec(rel);
  return m ? `${m[1].toLowerCase() === 'apis' ? 'API' : 'Product'}: ${m[2]}` : scope;
}

export default function ApimSubscriptions({ resourceId }: BladeProps) {
  const { api } = usePortal();
  const s = useStyles();
  const list = useAsync(() => listChildren<SubscriptionProperties>(api, resourceId, 'subscriptions'), [resourceId]);
  const [keys, setKeys] = useState<Record<string, Keys>>({});
  const [busy, setBusy] = useState<string>();
  const [error, setError] = useState<AzureApiError>();
  const [message, setMessage] = useState<string>();
  const [adding, setAdding] = useState(false);

  const readKeys = (id: string) => api.arm.post<Keys>(`${id}/listSecrets`, APIM_VERSION);
  const toggle = async (sub: ArmResource<SubscriptionProperties>) => {
    setError(undefined); setMessage(undefined);
    if (keys[sub.id]) { const { [sub.id]: _, ...rest } = keys; setKeys(rest); return; }
    setBusy(sub.id);
    try { const k = await readKeys(sub.id); setKeys((all) => ({ ...all, [sub.id]: k })); } catch (e) { setError(asAzureApiError(e)); } finally { setBusy(undefined); }
  };
  const regenerate = async (sub: ArmResource<SubscriptionProperties>, which: 'Primary' | 'Secondary') => {
    setError(undefined); setMessage(undefined); setBusy(sub.id);
    try {
      await api.arm.post(`${sub.id}/regenerate${which}Key`, APIM_VERSION);
      // Shown keys are read again; hidden ones stay hidden.
      if (keys[sub.id]) { const k = await readKeys(sub.id); setKeys((all) => ({ ...all, [sub.id]: k })); }
      setMessage(`The ${which.toLowerCase()} key of '${sub.properties?.displayName ?? sub.name}' was regenerated.`);
    } catch (e) { setError(asAzureApiError(e)); } finally { setBusy(undefined); }
  };

  return (
    <Blade title="Subscriptions" commands={<>
      <PermissionButton scope={resourceId} action={APIM_WRITE} appearance="primary" icon={<AddRegular />} onClick={() => setAdding(true)}>Add subscription</PermissionButton>
      <Button icon={<ArrowClockwiseRegular />} onClick={list.reload}>Refresh</Button>
    </>}>
      <ErrorBar error={list.error} />
      <ErrorBar error={error} />
      {message && <Text role="status">{message}</Text>}
      {list.loading && !list.data && <Spinner label="Loading subscriptions" />}
      {list.data && list.data.length === 0 && <Text>No subscriptions to display.</Text>}
      {list.data && list.data.length > 0 && (
        <ScrollRegion label="Subscriptions table">
          <Table aria-label="Subscriptions" size="small" style={{ minWidth: 1000 }}>
            <TableHeader>
              <TableRow>
                <TableHeaderCell>Name</TableHeaderCell>
                <TableHeaderCell>Display name</TableHeaderCell>
                <TableHeaderCell>Scope</TableHeaderCell>
                <TableHeaderCell>State</TableHeaderCell>
                <TableHeaderCell>Primary key</TableHeaderCell>
                <TableHeaderCell>Secondary key</TableHeaderCell>
                <TableHeaderCell>Actions</TableHeaderCell>
              </TableRow>
            </TableHeader>
            <TableBody>
              {list.data.map((sub) => {
                const k = keys[sub.id];
                const label = sub.properties?.displayName ?? sub.name;
                return (
                  <TableRow key={sub.id}>
                    <TableCell className={s.cell}>{sub.name}</TableCell>
                    <TableCell className={s.cell}>{label}</TableCell>
                    <TableCell className={s.cell}>{scopeLabel(resourceId, sub.properties?.scope ?? '')}</TableCell>
                    <TableCell>{sub.properties?.state}</TableCell>
                    <TableCell className={s.key} aria-label={`Primary key of ${label}`}>{k ? k.primaryKey : '••••••••'}</TableCell>
                    <TableCell className={s.key} aria-label={`Secondary key of ${label}`}>{k ? k.secondaryKey : '••••••••'}</TableCell>
                    <TableCell>
                      <div className={s.actions}>
                        <PermissionButton scope={resourceId} action={ACTION('listSecrets')} disabled={busy === sub.id} onClick={() => void toggle(sub)}>
                          Show/hide keys
                        </PermissionButton>
                        <PermissionButton scope={resourceId} action={ACTION('regeneratePrimaryKey')} disabled={busy === sub.id} onClick={() => void regenerate(sub, 'Primary')}>Regenerate primary key</PermissionButton>
                        <PermissionButton scope={resourceId} action={ACTION('regenerateSecondaryKey')} disabled={busy === sub.id} onClick={() => void regenerate(sub, 'Secondary')}>Regenerate secondary key</PermissionButton>
                      </div>
                    </TableCell>
                  </TableRow>
                );
              })}
            </TableBody>
          </Table>
        </ScrollRegion>
      )}
      {adding && <AddSubscription serviceId={resourceId} onClose={() => setAdding(false)} onCreated={() => { setAdding(false); list.reload(); }} />}
    </Blade>
  );
}

function AddSubscription({ serviceId, onClose, onCreated }: { serviceId: string; onClose(): void; onCreated(): void }) {
  const { api } = usePortal();
  const apis = useAsync(() => listChildren<ApiProperties>(api, serviceId, 'apis'), [serviceId]);
  const products = useAsync(() => listChildren<ProductProperties>(api, serviceId, 'products'), [serviceId]);
  const [name, setName] = useState('');
  const [displayName, setDisplayName] = useState('');
  const [scope, setScope] = useState('/apis');
  const [allowTracing, setAllowTracing] = useState(false);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<AzureApiError>();
  const scopes = [
    { value: '/apis', label: 'All APIs' },
    ...(apis.data ?? []).map((a) => ({ value: `/apis/${a.name}`, label: `API: ${a.properties?.displayName ?? a.name}` })),
    ...(products.data ?? []).map((p) => ({ value: `/products/${p.name}`, label: `Product: ${p.properties?.displayName ?? p.name}` })),
  ];
  const submit = async () => {
    setBusy(true); setError(undefined);
    try {
      await api.arm.put(`${serviceId}/subscriptions/${encodeURIComponent(name)}`, APIM_VERSION, { properties: { displayName: displayName || name, scope: `${serviceId}${scope}`, state: 'active', allowTracing } });
      onCreated();
    } catch (e) { setError(asAzureApiError(e)); } finally { setBusy(false); }
  };
  return (
    <FormDialog open title="New subscription" onClose={onClose} onSubmit={() => void submit()} busy={busy} error={error} submitLabel="Create" scope={serviceId}>
      <Field label="Name" required><Input value={name} onChange={(_, d) => setName(d.value)} /></Field>
      <Field label="Display name" required><Input value={displayName} onChange={(_, d) => setDisplayName(d.value)} /></Field>
      <Field label="Scope">
        <Dropdown value={scopes.find((x) => x.value === scope)?.label ?? scope} selectedOptions={[scope]} onOptionSelect={(_, d) => setScope(d.optionValue ?? '/apis')}>
          {scopes.map((x) => <Option key={x.value} value={x.value}>{x.label}</Option>)}
        </Dropdown>
      </Field>
      <Checkbox label="Allow tracing" checked={allowTracing} onChange={(_, d) => setAllowTracing(d.checked === true)} />
    </FormDialog>
  );
}
