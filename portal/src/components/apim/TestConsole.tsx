// The Test tab of an API: choose an operation, fill its template parameters, headers, query and body,
// Send through the portal's gateway proxy with a debug credential (Azure's tracing protocol), then show
// the HTTP response and the trace, section by section (inbound, backend, outbound, on-error), each step
// with its timing and data, the backend call among them.
import { useEffect, useMemo, useState } from 'react';
import {
  Accordion, AccordionHeader, AccordionItem, AccordionPanel, Badge, Button, Checkbox, Dropdown, Field, Input, makeStyles, Option,
  Spinner, Tab, TabList, Text, Textarea, tokens,
} from '@fluentui/react-components';
import { AddRegular, DeleteRegular, SendRegular } from '@fluentui/react-icons';
import { APIM_VERSION, listChildren, testCall, type Api, type Operation, type ProxyResponse, type SubscriptionProperties, type Trace, type TraceEntry } from '../../api/apim';
import { useAsync } from '../../app/use-async';
import { asAzureApiError, type AzureApiError } from '../../api/errors';
import { usePortal } from '../../app/context';
import { ErrorBar } from '../ErrorBar';
import { PermissionButton } from '../PermissionButton';

const useStyles = makeStyles({
  root: { display: 'flex', flexDirection: 'column', gap: tokens.spacingVerticalM, minWidth: 0 },
  row: { display: 'flex', flexWrap: 'wrap', gap: tokens.spacingHorizontalS, alignItems: 'flex-end' },
  grow: { flexGrow: 1, minWidth: '140px' },
  url: { fontFamily: tokens.fontFamilyMonospace, overflowWrap: 'anywhere' },
  pre: {
    fontFamily: tokens.fontFamilyMonospace, fontSize: tokens.fontSizeBase200, whiteSpace: 'pre-wrap', overflowWrap: 'anywhere', margin: 0,
    backgroundColor: tokens.colorNeutralBackground2, maxHeight: '320px', overflowY: 'auto',
  },
  step: { display: 'flex', flexWrap: 'wrap', gap: tokens.spacingHorizontalS, alignItems: 'center' },
  section: { display: 'flex', flexDirection: 'column', gap: tokens.spacingVerticalS },
});

type Pair = { name: string; value: string };

const SECTIONS = ['inbound', 'backend', 'outbound', 'on-error'] as const;
const SECTION_LABELS: Record<string, string> = { inbound: 'Inbound', backend: 'Backend', outbound: 'Outbound', 'on-error': 'On error' };

function PairsEditor({ label, pairs, onChange }: { label: string; pairs: Pair[]; onChange(p: Pair[]): void }) {
  const s = useStyles();
  const set = (i: number, p: Partial<Pair>) => onChange(pairs.map((x, j) => (j === i ? { ...x, ...p } : x)));
  const singular = label.replace(/s$/, '').replace(/ parameter$/, ' parameter');
  return (
    <fieldset className={s.section} style={{ border: 'none', padding: 0, margin: 0 }}>
      <legend><Text weight="semibold">{label}</Text></legend>
      {pairs.map((p, i) => (
        <div className={s.row} key={i}>
          <Field label={`${singular} name`} className={s.grow}><Input value={p.name} onChange={(_, d) => set(i, { name: d.value })} /></Field>
          <Field label={`${singular} value`} className={s.grow}><Input value={p.value} onChange={(_, d) => set(i, { value: d.value })} /></Field>
          <Button aria-label={`Remove ${singular.toLowerCase()} ${p.name || i + 1}`} icon={<DeleteRegular />} onClick={() => onChange(pairs.filter((_, j) => j !== i))} />
        </div>
      ))}
      <div><Button icon={<AddRegular />} onClick={() => onChange([...pairs, { name: '', value: '' }])}>Add {singular.toLowerCase()}</Button></div>
    </fieldset>
  );
}

/** The request URL: the gateway, the API's suffix, the template with its parameters, the query. */
function requestUrl(gatewayUrl: string, api: Api, op: Operation | undefined, params: Record<string, string>, query: Pair[]): string {
  let template = op?.properties?.urlTemplate ?? '/';
  template = template.replace(/\{\*?([^}]+)\}/g, (_, n: string) => encodeURIComponent(params[n] ?? '')).replace(/\/\*$/, '/');
  const base = `${gatewayUrl.replace(/\/+$/, '')}/${(api.properties?.path ?? '').replace(/^\/+|\/+$/g, '')}`.replace(/\/+$/, '');
  const [p, q0] = template.split('?');
  const qs = new URLSearchParams(q0 ?? '');
  for (const { name, value } of query) if (name) qs.append(name, value);
  const qText = qs.toString();
  return `${base}${p.startsWith('/') ? p : `/${p}`}${qText ? `?${qText}` : ''}`;
}

function StepData({ data }: { data: unknown }) {
  const s = useStyles();
  if (data === undefined || data === null) return null;
  return <pre className={s.pre} tabIndex={0} aria-label="Step data">{typeof data === 'string' ? data : JSON.stringify(data, null, 2)}</pre>;
}

function outcomeOf(e: TraceEntry): string | undefined {
  const d = e.data as Record<string, unknown> | null;
  return d && typeof d === 'object' && typeof d.outcome === 'string' ? d.outcome : undefined;
}

export function TraceView({ trace }: { trace: Trace }) {
  const s = useStyles();
  const sections = SECTIONS.filter((n) => (trace.traceEntries[n] ?? []).length > 0);
  return (
    <section className={s.section} aria-labelledby="trace-heading">
      <h3 id="trace-heading">Trace</h3>
      <Text size={200} className={s.url}>Trace id: {trace.traceId}</Text>
      {sections.map((name) => (
        <section key={name} className={s.section} aria-label={`Trace: ${name}`}>
          <h4 style={{ margin: 0 }}>{SECTION_LABELS[name]}</h4>
          <Accordion multiple collapsible>
            {(trace.traceEntries[name] ?? []).map((e, i) => (
              <AccordionItem key={i} value={`${name}-${i}`}>
                <AccordionHeader>
                  <span className={s.step}>
                    <span>{e.source}</span>
                    {outcomeOf(e) && <Badge appearance="outline" color={outcomeOf(e) === 'failed' ? 'danger' : 'success'}>{outcomeOf(e)}</Badge>}
                    <Text size={200}>elapsed {e.elapsed}</Text>
                  </span>
                </AccordionHeader>
                <AccordionPanel><StepData data={e.data} /></AccordionPanel>
              </AccordionItem>
            ))}
          </Accordion>
        </section>
      ))}
      {trace.lastError !== undefined && trace.lastError !== null && <><h4>Last error</h4><StepData data={trace.lastError} /></>}
      {trace.variables && Object.keys(trace.variables).length > 0 && <><h4>Variables</h4><StepData data={trace.variables} /></>}
    </section>
  );
}

function ResponseView({ response }: { response: ProxyResponse }) {
  const s = useStyles();
  const headers = Object.entries(response.headers).map(([k, v]) => `${k}: ${Array.isArray(v) ? v.join(', ') : v}`).join('\n');
  let body = response.bodyEncoding === 'base64' ? `(binary, ${Math.floor(response.body.length * 3 / 4)} bytes, base64)\n${response.body}` : response.body;
  try { if (response.bodyEncoding === 'utf8' && body) body = JSON.stringify(JSON.parse(body), null, 2); } catch { /* not JSON: as is */ }
  return (
    <section className={s.section} aria-labelledby="response-heading">
      <h3 id="response-heading">HTTP response</h3>
      <Text weight="semibold" data-testid="response-status">HTTP/1.1 {response.status} {response.reason ?? ''}</Text>
      <pre className={s.pre} tabIndex={0} aria-label="Response headers">{headers}</pre>
      <pre className={s.pre} tabIndex={0} aria-label="Response body">{body || '(empty)'}{response.truncated ? '\n… (truncated at 4 MB)' : ''}</pre>
    </section>
  );
}

export function TestConsole({ serviceId, gatewayUrl, api, operations }: { serviceId: string; gatewayUrl: string | undefined; api: Api; operations: Operation[] }) {
  const { api: client } = usePortal();
  const s = useStyles();
  const [opName, setOpName] = useState<string>(operations[0]?.name ?? '');
  const op = operations.find((o) => o.name === opName);
  const [params, setParams] = useState<Record<string, string>>({});
  const [headers, setHeaders] = useState<Pair[]>([]);
  const [query, setQuery] = useState<Pair[]>([]);
  const [body, setBody] = useState('');
  const [trace, setTrace] = useState(true);
  const [sending, setSending] = useState(false);
  const [error, setError] = useState<AzureApiError>();
  const [result, setResult] = useState<{ response: ProxyResponse; trace?: Trace; traceProblem?: string }>();
  const [view, setView] = useState<'response' | 'trace'>('response');
  useEffect(() => { if (!op && operations[0]) setOpName(operations[0].name); }, [operations, op]);
  useEffect(() => { setParams({}); }, [opName]);
  const url = useMemo(() => (gatewayUrl ? requestUrl(gatewayUrl, api, op, params, query) : ''), [gatewayUrl, api, op, params, query]);
  const method = op?.properties?.method ?? 'GET';
  // Subscriptions whose scope covers this API (all APIs, the API, or a product): one fills the key header.
  const subs = useAsync(async () => (await listChildren<SubscriptionProperties>(client, serviceId, 'subscriptions')).filter((x) => {
    const rel = (x.properties?.scope ?? '').slice(serviceId.length).toLowerCase();
    return rel === '/apis' || rel === `/apis/${api.name.toLowerCase()}` || rel.startsWith('/products/');
  }), [serviceId, api.name]);
  const [subChoice, setSubChoice] = useState('');
  const keyHeader = api.properties?.subscriptionKeyParameterNames?.header ?? 'Ocp-Apim-Subscription-Key';
  const pickSubscription = async (id: string) => {
    setSubChoice(id); setError(undefined);
    const rest = headers.filter((p) => p.name.toLowerCase() !== keyHeader.toLowerCase());
    if (!id) { setHeaders(rest); return; }
    try {
      const k = await client.arm.post<{ primaryKey: string }>(`${id}/listSecrets`, APIM_VERSION);
      setHeaders([...rest, { name: keyHeader, value: k.primaryKey }]);
    } catch (e) { setError(asAzureApiError(e)); }
  };
  const hasBody = !['GET', 'HEAD'].includes(method.toUpperCase());

  const send = async () => {
    setSending(true); setError(undefined); setResult(undefined);
    try {
      const h = Object.fromEntries(headers.filter((p) => p.name.trim()).map((p) => [p.name.trim(), p.value]));
      const r = await testCall(client, serviceId, api.id, { method, url, headers: h, body: hasBody && body ? body : undefined }, trace);
      setResult(r);
      setView(r.trace ? 'trace' : 'response');
    } catch (e) { setError(asAzureApiError(e)); } finally { setSending(false); }
  };

  if (operations.length === 0) return <Text>This API has no operations to test: add one, or import an OpenAPI document.</Text>;
  return (
    <div className={s.root}>
      <Field label="Operation">
        <Dropdown value={op ? `${op.properties?.method} ${op.properties?.displayName}` : ''} selectedOptions={opName ? [opName] : []}
          onOptionSelect={(_, d) => setOpName(d.optionValue ?? '')}>
          {operations.map((o) => <Option key={o.name} value={o.name} text={`${o.properties?.method} ${o.properties?.displayName}`}>{`${o.properties?.method} ${o.properties?.displayName}`}</Option>)}
        </Dropdown>
      </Field>
      {(op?.properties?.templateParameters ?? []).map((p) => (
        <Field key={p.name} label={`Template parameter ${p.name}`} required={p.required}>
          <Input value={params[p.name] ?? ''} onChange={(_, d) => setParams({ ...params, [p.name]: d.value })} />
        </Field>
      ))}
      {api.properties?.subscriptionRequired !== false && (
        <Field label="Subscription key" hint={`Puts the subscription's primary key in the ${keyHeader} header.`}>
          <Dropdown placeholder="Select a subscription" value={subs.data?.find((x) => x.id === subChoice)?.properties?.displayName ?? ''} selectedOptions={subChoice ? [subChoice] : []}
            onOptionSelect={(_, d) => void pickSubscription(d.optionValue ?? '')}>
            {(subs.data ?? []).map((x) => <Option key={x.id} value={x.id}>{x.properties?.displayName ?? x.name}</Option>)}
          </Dropdown>
        </Field>
      )}
      <PairsEditor label="Query parameters" pairs={query} onChange={setQuery} />
      <PairsEditor label="Headers" pairs={headers} onChange={setHeaders} />
      {hasBody && <Field label="Request body"><Textarea value={body} onChange={(_, d) => setBody(d.value)} resize="vertical" style={{ fontFamily: tokens.fontFamilyMonospace }} /></Field>}
      <div>
        <Text weight="semibold">Request URL</Text>
        <div className={s.url} aria-label="Request URL">{method} {url || '(the instance has no gateway URL)'}</div>
      </div>
      <Checkbox label="Trace the call (debug credentials for this API, one hour)" checked={trace} onChange={(_, d) => setTrace(d.checked === true)} />
      <div className={s.row}>
        <PermissionButton scope={serviceId} action={trace ? 'Microsoft.ApiManagement/service/gateways/listDebugCredentials/action' : 'Microsoft.ApiManagement/service/read'} appearance="primary" icon={<SendRegular />}
          disabled={sending || !url} onClick={() => void send()}>Send</PermissionButton>
        {sending && <Spinner size="tiny" label="Sending" />}
      </div>
      <ErrorBar error={error} />
      {result && (
        <>
          <TabList selectedValue={view} onTabSelect={(_, d) => setView(d.value as 'response' | 'trace')} aria-label="Test result">
            <Tab value="response">Message</Tab>
            <Tab value="trace">Trace</Tab>
          </TabList>
          {view === 'response' && <ResponseView response={result.response} />}
          {view === 'trace' && (result.trace ? <TraceView trace={result.trace} /> : <Text>{result.traceProblem ?? 'Tracing was not asked for: check "Trace the call" and send again.'}</Text>)}
        </>
      )}
    </div>
  );
}
