// API Management > Products: the instance's products; "+ Add" creates one (display name, id, description,
// state, subscription required, APIs); a product's APIs, and "+ Add API" links one (products/{p}/apis/{api}).
import { useState } from 'react';
import {
  Button, Checkbox, Dropdown, Field, Input, makeStyles, Option, Spinner, Table, TableBody, TableCell, TableHeader, TableHeaderCell, TableRow, Text, Textarea, tokens,
} from '@fluentui/react-components';
import { AddRegular, ArrowClockwiseRegular } from '@fluentui/react-icons';
import { APIM_VERSION, APIM_WRITE, listChildren, type ApiProperties, type ProductProperties } from '../api/apim';
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
  section: { display: 'flex', flexDirection: 'column', gap: tokens.spacingVerticalS },
});

const idFrom = (display: string) => display.trim().toLowerCase().replace(/[^a-z0-9._-]+/g, '-').replace(/^-+|-+$/g, '').slice(0, 80);

export default function ApimProducts({ resourceId }: BladeProps) {
  const { api } = usePortal();
  const s = useStyles();
  const products = useAsync(() => listChildren<ProductProperties>(api, resourceId, 'products'), [resourceId]);
  const apis = useAsync(() => listChildren<ApiProperties>(api, resourceId, 'apis'), [resourceId]);
  const [adding, setAdding] = useState(false);
  const [selected, setSelected] = useState<string>();
  const product = products.data?.find((p) => p.name === selected);
  return (
    <Blade title="Products" commands={<>
      <PermissionButton scope={resourceId} action={APIM_WRITE} appearance="primary" icon={<AddRegular />} onClick={() => setAdding(true)}>Add</PermissionButton>
      <Button icon={<ArrowClockwiseRegular />} onClick={products.reload}>Refresh</Button>
    </>}>
      <ErrorBar error={products.error} />
      {products.loading && !products.data && <Spinner label="Loading products" />}
      {products.data && products.data.length === 0 && <Text>No products to display.</Text>}
      {products.data && products.data.length > 0 && (
        <ScrollRegion label="Products table">
          <Table aria-label="Products" size="small" style={{ minWidth: 560 }}>
            <TableHeader>
              <TableRow>
                <TableHeaderCell>Name</TableHeaderCell>
                <TableHeaderCell>Description</TableHeaderCell>
                <TableHeaderCell>State</TableHeaderCell>
                <TableHeaderCell>Requires subscription</TableHeaderCell>
              </TableRow>
            </TableHeader>
            <TableBody>
              {products.data.map((p) => (
                <TableRow key={p.id}>
                  <TableCell className={s.cell}>
                    <Button appearance={p.name === selected ? 'primary' : 'subtle'} size="small" aria-current={p.name === selected ? 'true' : undefined}
                      onClick={() => setSelected(p.name)}>{p.properties?.displayName ?? p.name}</Button>
                  </TableCell>
                  <TableCell className={s.cell}>{p.properties?.description ?? ''}</TableCell>
                  <TableCell>{p.properties?.state === 'published' ? 'Published' : 'Not published'}</TableCell>
                  <TableCell>{p.properties?.subscriptionRequired === false ? 'No' : 'Yes'}</TableCell>
                </TableRow>
              ))}
            </TableBody>
          </Table>
        </ScrollRegion>
      )}
      {product && <ProductApis serviceId={resourceId} product={product} allApis={apis.data ?? []} />}
      {adding && <AddProduct serviceId={resourceId} apis={apis.data ?? []} onClose={() => setAdding(false)} onCreated={(name) => { setAdding(false); products.reload(); setSelected(name); }} />}
    </Blade>
  );
}

function ProductApis({ serviceId, product, allApis }: { serviceId: string; product: ArmResource<ProductProperties>; allApis: ArmResource<ApiProperties>[] }) {
  const { api } = usePortal();
  const s = useStyles();
  const linked = useAsync(() => listChildren<ApiProperties>(api, serviceId, `products/${product.name}/apis`), [serviceId, product.name]);
  const [choice, setChoice] = useState('');
  const [error, setError] = useState<AzureApiError>();
  const free = allApis.filter((a) => !(linked.data ?? []).some((l) => l.name === a.name));
  const add = async () => {
    setError(undefined);
    try { await api.arm.put(`${serviceId}/products/${product.name}/apis/${choice}`, APIM_VERSION, {}); setChoice(''); linked.reload(); } catch (e) { setError(asAzureApiError(e)); }
  };
  return (
    <section className={s.section} aria-labelledby="product-apis">
      <h2 id="product-apis" style={{ overflowWrap: 'anywhere' }}>APIs of {product.properties?.displayName ?? product.name}</h2>
      <ErrorBar error={linked.error} />
      <ErrorBar error={error} />
      {linked.data && linked.data.length === 0 && <Text>This product has no APIs.</Text>}
      <ul aria-label={`APIs of product ${product.name}`}>
        {(linked.data ?? []).map((a) => <li key={a.name} className={s.cell}>{a.properties?.displayName ?? a.name}</li>)}
      </ul>
      <Field label="API to add">
        <Dropdown placeholder="Select an API" value={free.find((a) => a.name === choice)?.properties?.displayName ?? ''} selectedOptions={choice ? [choice] : []}
          onOptionSelect={(_, d) => setChoice(d.optionValue ?? '')}>
          {free.map((a) => <Option key={a.name} value={a.name}>{a.properties?.displayName ?? a.name}</Option>)}
        </Dropdown>
      </Field>
      <div><PermissionButton scope={serviceId} action={APIM_WRITE} icon={<AddRegular />} disabled={!choice} onClick={() => void add()}>Add API</PermissionButton></div>
    </section>
  );
}

function AddProduct({ serviceId, apis, onClose, onCreated }: { serviceId: string; apis: ArmResource<ApiProperties>[]; onClose(): void; onCreated(name: string): void }) {
  const { api } = usePortal();
  const [displayName, setDisplayName] = useState('');
  const [name, setName] = useState<string>();
  const [description, setDescription] = useState('');
  const [published, setPublished] = useState(false);
  const [subscriptionRequired, setSubscriptionRequired] = useState(true);
  const [chosen, setChosen] = useState<string[]>([]);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<AzureApiError>();
  const id = name ?? idFrom(displayName);
  const submit = async () => {
    setBusy(true); setError(undefined);
    try {
      const path = `${serviceId}/products/${encodeURIComponent(id)}`;
      await api.arm.put(path, APIM_VERSION, { properties: { displayName, description: description || undefined, state: published ? 'published' : 'notPublished', subscriptionRequired } });
      for (const a of chosen) await api.arm.put(`${path}/apis/${a}`, APIM_VERSION, {});
      onCreated(id);
    } catch (e) { setError(asAzureApiError(e)); } finally { setBusy(false); }
  };
  return (
    <FormDialog open title="Add product" onClose={onClose} onSubmit={() => void submit()} busy={busy} error={error} submitLabel="Create" scope={serviceId}>
      <Field label="Display name" required><Input value={displayName} onChange={(_, d) => setDisplayName(d.value)} /></Field>
      <Field label="Id" required><Input value={id} onChange={(_, d) => setName(d.value)} /></Field>
      <Field label="Description"><Textarea value={description} onChange={(_, d) => setDescription(d.value)} /></Field>
      <Checkbox label="Published" checked={published} onChange={(_, d) => setPublished(d.checked === true)} />
      <Checkbox label="Requires subscription" checked={subscriptionRequired} onChange={(_, d) => setSubscriptionRequired(d.checked === true)} />
      <fieldset style={{ border: 'none', padding: 0, margin: 0 }}>
        <legend>APIs</legend>
        {apis.length === 0 && <Text>No APIs yet.</Text>}
        {apis.map((a) => (
          <Checkbox key={a.name} label={a.properties?.displayName ?? a.name} checked={chosen.includes(a.name)}
            onChange={(_, d) => setChosen(d.checked === true ? [...chosen, a.name] : chosen.filter((c) => c !== a.name))} />
        ))}
      </fieldset>
    </FormDialog>
  );
}
