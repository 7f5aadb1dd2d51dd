// "+ Add API" (HTTP) and "Import" (OpenAPI), as ARM apis PUTs: the first with displayName, path,
// serviceUrl, protocols and subscriptionRequired; the second with `format` and `value` (Azure's import).
import { useState, type ReactNode } from 'react';
import {
  Button, Checkbox, Dialog, DialogActions, DialogBody, DialogContent, DialogSurface, DialogTitle, Dropdown, Field, Input, makeStyles, Option, Textarea, tokens,
} from '@fluentui/react-components';
import { APIM_VERSION, APIM_WRITE } from '../../api/apim';
import { asAzureApiError, type AzureApiError } from '../../api/errors';
import { usePortal } from '../../app/context';
import { ErrorBar } from '../ErrorBar';
import { PermissionButton } from '../PermissionButton';

const useStyles = makeStyles({
  form: { display: 'flex', flexDirection: 'column', gap: tokens.spacingVerticalM },
  surface: { maxWidth: 'min(600px, calc(100vw - 32px))' },
});

/** API Management's rule for API ids: letters, digits, '-', '_' (and '.'), at most 256. */
const idFrom = (display: string) => display.trim().toLowerCase().replace(/[^a-z0-9._-]+/g, '-').replace(/^-+|-+$/g, '').slice(0, 80);

function FormDialog({ open, title, onClose, onSubmit, busy, error, children, submitLabel, scope }: {
  open: boolean; title: string; onClose(): void; onSubmit(): void; busy: boolean; error?: AzureApiError; children: ReactNode; submitLabel: string; scope: string;
}) {
  const s = useStyles();
  return (
    <Dialog open={open} onOpenChange={(_, d) => { if (!d.open) onClose(); }}>
      <DialogSurface className={s.surface}>
        <form onSubmit={(e) => { e.preventDefault(); onSubmit(); }}>
          <DialogBody>
            <DialogTitle>{title}</DialogTitle>
            <DialogContent className={s.form}>
              {children}
              <ErrorBar error={error} />
            </DialogContent>
            <DialogActions>
              <PermissionButton scope={scope} action={APIM_WRITE} appearance="primary" type="submit" disabled={busy}>{submitLabel}</PermissionButton>
              <Button onClick={onClose}>Cancel</Button>
            </DialogActions>
          </DialogBody>
        </form>
      </DialogSurface>
    </Dialog>
  );
}

export { FormDialog };

export function AddApiDialog({ serviceId, open, onClose, onCreated }: { serviceId: string; open: boolean; onClose(): void; onCreated(name: string): void }) {
  const { api } = usePortal();
  const [displayName, setDisplayName] = useState('');
  const [name, setName] = useState<string>();
  const [serviceUrl, setServiceUrl] = useState('');
  const [path, setPath] = useState('');
  const [subscriptionRequired, setSubscriptionRequired] = useState(true);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<AzureApiError>();
  const apiName = name ?? idFrom(displayName);
  const submit = async () => {
    setBusy(true); setError(undefined);
    try {
      await api.arm.put(`${serviceId}/apis/${encodeURIComponent(apiName)}`, APIM_VERSION, {
        properties: { displayName, path, serviceUrl: serviceUrl || undefined, protocols: ['https'], subscriptionRequired },
      });
      onCreated(apiName);
    } catch (e) { setError(asAzureApiError(e)); } finally { setBusy(false); }
  };
  return (
    <FormDialog open={open} title="Create an HTTP API" onClose={onClose} onSubmit={() => void submit()} busy={busy} error={error} submitLabel="Create" scope={serviceId}>
      <Field label="Display name" required><Input value={displayName} onChange={(_, d) => setDisplayName(d.value)} /></Field>
      <Field label="Name" required hint="The API's id in Resource Manager."><Input value={apiName} onChange={(_, d) => setName(d.value)} /></Field>
      <Field label="Web service URL" hint="The backend, e.g. https://httpbin.org"><Input type="url" value={serviceUrl} onChange={(_, d) => setServiceUrl(d.value)} /></Field>
      <Field label="API URL suffix" required><Input value={path} onChange={(_, d) => setPath(d.value)} /></Field>
      <Checkbox label="Subscription required" checked={subscriptionRequired} onChange={(_, d) => setSubscriptionRequired(d.checked === true)} />
    </FormDialog>
  );
}

const FORMATS = [
  { value: 'openapi', label: 'OpenAPI (JSON or YAML)' },
  { value: 'openapi+json', label: 'OpenAPI (JSON)' },
  { value: 'swagger-json', label: 'Swagger 2.0 (JSON)' },
] as const;

export function ImportApiDialog({ serviceId, open, onClose, onCreated }: { serviceId: string; open: boolean; onClose(): void; onCreated(name: string): void }) {
  const { api } = usePortal();
  const [value, setValue] = useState('');
  const [format, setFormat] = useState<string>('openapi');
  const [displayName, setDisplayName] = useState('');
  const [name, setName] = useState<string>();
  const [path, setPath] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<AzureApiError>();
  const [fileError, setFileError] = useState<string>();
  const title = /"title"\s*:\s*"([^"]+)"|^\s*title:\s*['"]?([^'"\n]+)/m.exec(value);
  const apiName = name ?? idFrom(displayName || title?.[1] || title?.[2] || '');
  const readFile = async (f: File | undefined) => {
    setFileError(undefined);
    if (!f) return;
    if (f.size > 4 * 1024 * 1024) { setFileError('The file is larger than 4 MB.'); return; }
    const text = await f.text();
    setValue(text);
    setFormat(/^\s*\{/.test(text) ? (/"swagger"\s*:/.test(text) ? 'swagger-json' : 'openapi+json') : 'openapi');
  };
  const submit = async () => {
    setBusy(true); setError(undefined);
    try {
      await api.arm.put(`${serviceId}/apis/${encodeURIComponent(apiName)}`, APIM_VERSION, {
        properties: { format, value, path, ...(displayName ? { displayName } : {}), protocols: ['https'] },
      });
      onCreated(apiName);
    } catch (e) { setError(asAzureApiError(e)); } finally { setBusy(false); }
  };
  return (
    <FormDialog open={open} title="Create from OpenAPI specification" onClose={onClose} onSubmit={() => void submit()} busy={busy} error={error} submitLabel="Create" scope={serviceId}>
      <Field label="OpenAPI specification file" validationMessage={fileError}>
        {(fieldProps) => <input {...fieldProps} type="file" accept=".json,.yaml,.yml,application/json" onChange={(e) => void readFile(e.target.files?.[0])} />}
      </Field>
      <Field label="OpenAPI specification" required hint="Paste the document, or pick a file above.">
        <Textarea value={value} onChange={(_, d) => setValue(d.value)} rows={8} resize="vertical" style={{ fontFamily: tokens.fontFamilyMonospace }} />
      </Field>
      <Field label="Format">
        <Dropdown value={FORMATS.find((f) => f.value === format)?.label ?? format} selectedOptions={[format]} onOptionSelect={(_, d) => setFormat(d.optionValue ?? 'openapi')}>
          {FORMATS.map((f) => <Option key={f.value} value={f.value}>{f.label}</Option>)}
        </Dropdown>
      </Field>
      <Field label="Display name" hint="Empty: the document's title."><Input value={displayName} onChange={(_, d) => setDisplayName(d.value)} /></Field>
      <Field label="Name" required><Input value={apiName} onChange={(_, d) => setName(d.value)} /></Field>
      <Field label="API URL suffix" required><Input value={path} onChange={(_, d) => setPath(d.value)} /></Field>
    </FormDialog>
  );
}
