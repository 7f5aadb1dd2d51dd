// Custom deployment ("Deploy a custom template"): Select a template (Load file or paste into the editor),
// Basics (resource group, a parameters form built from the template's parameters), Review + create,
// then Create: PUT a Resource Manager deployment and go to its Overview (live progress, outputs).
import { useId, useMemo, useState, type ChangeEvent } from 'react';
import { Button, Caption1, Dropdown, Field, Input, Label, makeStyles, Option, Tab, TabList, Text, Textarea, Title3, tokens } from '@fluentui/react-components';
import { API_VERSIONS, regionDisplayName, type ArmResource } from '../api/arm-types';
import { asAzureApiError, type AzureApiError } from '../api/errors';
import {
  deploymentParameters, initialText, parameterError, parameterLabel, parseTemplate, templateParameters, type Template, type TemplateParameter,
} from '../api/templates';
import { usePortal } from '../app/context';
import { navigate, resourceRoute } from '../app/router';
import { Blade } from '../components/Blade';
import { ErrorBar } from '../components/ErrorBar';
import { ValueField } from '../components/Field';
import { PermissionButton } from '../components/PermissionButton';
import { ResourceGroupPicker, useResourceGroups } from '../components/ResourceGroupPicker';
import type { BladeProps } from './registry';

const useStyles = makeStyles({
  form: { display: 'flex', flexDirection: 'column', gap: tokens.spacingVerticalM, maxWidth: '720px' },
  editor: { fontFamily: tokens.fontFamilyMonospace, minHeight: '280px' },
  buttons: { display: 'flex', gap: tokens.spacingHorizontalS, flexWrap: 'wrap' },
  file: { display: 'flex', flexDirection: 'column', gap: '4px', maxWidth: '100%' },
});

type Step = 'template' | 'basics' | 'review';

/** Azure's default deployment name: Microsoft.Template-YYYYMMDDHHMMSS. */
function defaultDeploymentName(): string {
  return `Microsoft.Template-${new Date().toISOString().replace(/[-:T]/g, '').slice(0, 14)}`;
}

function ParameterField({ p, text, onChange }: { p: TemplateParameter; text: string; onChange(v: string): void }) {
  const label = parameterLabel(p.name);
  const error = parameterError(p, text);
  const common = { label, hint: p.description, validationMessage: error, required: p.defaultValue === undefined };
  if (p.allowedValues && p.allowedValues.length > 0) {
    return (
      <Field {...common}>
        <Dropdown value={text} selectedOptions={[text]} onOptionSelect={(_, d) => onChange(d.optionValue ?? '')}>
          {p.allowedValues.map((v) => <Option key={String(v)} value={String(v)}>{String(v)}</Option>)}
        </Dropdown>
      </Field>
    );
  }
  switch (p.type) {
    case 'bool':
      return (
        <Field {...common}>
          <Dropdown value={text} selectedOptions={[text]} onOptionSelect={(_, d) => onChange(d.optionValue ?? '')}>
            <Option value="true">true</Option>
            <Option value="false">false</Option>
          </Dropdown>
        </Field>
      );
    case 'array': case 'object': case 'secureobject':
      return <Field {...common}><Textarea value={text} onChange={(_, d) => onChange(d.value)} resize="vertical" /></Field>;
    case 'securestring':
      return <Field {...common}><Input type="password" autoComplete="new-password" value={text} onChange={(_, d) => onChange(d.value)} /></Field>;
    case 'int':
      return <Field {...common}><Input inputMode="numeric" value={text} onChange={(_, d) => onChange(d.value)} /></Field>;
    default:
      return <Field {...common}><Input value={text} onChange={(_, d) => onChange(d.value)} /></Field>;
  }
}

export default function DeployTemplate(_: BladeProps) {
  const { api, subscription } = usePortal();
  const s = useStyles();
  const groups = useResourceGroups();
  const fileId = useId();
  const [step, setStep] = useState<Step>('template');
  const [text, setText] = useState('');
  const [template, setTemplate] = useState<Template>();
  const [templateError, setTemplateError] = useState<string>();
  const [group, setGroup] = useState('');
  const [location, setLocation] = useState<string>();
  const [deploymentName, setDeploymentName] = useState(defaultDeploymentName);
  const [texts, setTexts] = useState<Record<string, string>>({});
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<AzureApiError>();

  const params = useMemo(() => (template ? templateParameters(template) : []), [template]);
  const valueOf = (p: TemplateParameter) => texts[p.name] ?? initialText(p);
  const basicsValid = group !== '' && /^[-\w.()]{1,64}$/.test(deploymentName) && params.every((p) => parameterError(p, valueOf(p)) === undefined);
  const rgScope = group ? `/subscriptions/${subscription.subscriptionId}/resourceGroups/${group}` : undefined;

  const useTemplate = () => {
    const r = parseTemplate(text);
    setTemplateError(r.error);
    if (r.template) { setTemplate(r.template); setTexts({}); setStep('basics'); }
  };

  const loadFile = async (e: ChangeEvent<HTMLInputElement>) => {
    const file = e.target.files?.[0];
    if (!file) return;
    if (file.size > 4 * 1024 * 1024) { setTemplateError('The template file is larger than 4 MB, the limit of a deployment.'); return; }
    setText(await file.text());
    setTemplateError(undefined);
  };

  const create = async () => {
    if (!template || !rgScope) return;
    setBusy(true);
    setError(undefined);
    try {
      const id = `${rgScope}/providers/Microsoft.Resources/deployments/${deploymentName}`;
      await api.arm.put<ArmResource>(id, API_VERSIONS.deployments, {
        properties: { mode: 'Incremental', template, parameters: deploymentParameters(params, texts) },
      });
      navigate(resourceRoute(id));
    } catch (e) {
      setError(asAzureApiError(e));
      setBusy(false);
    }
  };

  return (
    <Blade title="Custom deployment" subtitle="Deploy from a custom template">
      <TabList selectedValue={step} onTabSelect={(_, d) => { if (d.value === 'template' || template) setStep(d.value as Step); }} aria-label="Steps">
        <Tab value="template">Select a template</Tab>
        <Tab value="basics" disabled={!template}>Basics</Tab>
        <Tab value="review" disabled={!template || !basicsValid}>Review + create</Tab>
      </TabList>

      {step === 'template' && (
        <div className={s.form}>
          <div className={s.file}>
            <Label htmlFor={fileId}>Load file</Label>
            <input id={fileId} type="file" accept=".json,application/json" aria-describedby={`${fileId}-hint`} onChange={(e) => void loadFile(e)} />
            <Caption1 id={`${fileId}-hint`}>An ARM template (JSON) from your computer.</Caption1>
          </div>
          <Field label="Template" hint="Or build your own template in the editor: paste or write the JSON." validationMessage={templateError}>
            <Textarea className={s.editor} value={text} onChange={(_, d) => setText(d.value)} resize="vertical" spellCheck={false} />
          </Field>
          <div className={s.buttons}>
            <Button appearance="primary" disabled={text.trim() === ''} onClick={useTemplate}>Next</Button>
          </div>
        </div>
      )}

      {step === 'basics' && template && (
        <form className={s.form} onSubmit={(e) => { e.preventDefault(); if (basicsValid) setStep('review'); }}>
          <Title3 as="h2">Project details</Title3>
          <ResourceGroupPicker value={group} groups={groups} onChange={(g, rg) => { setGroup(g); setLocation(rg?.location); }} />
          <Title3 as="h2">Instance details</Title3>
          {location && <ValueField label="Region" value={regionDisplayName(location)} />}
          <Field label="Deployment name" required validationMessage={/^[-\w.()]{1,64}$/.test(deploymentName) ? undefined : 'Up to 64 letters, digits, and - _ . ( )'}>
            <Input value={deploymentName} onChange={(_, d) => setDeploymentName(d.value)} />
          </Field>
          {params.length === 0 && <Text>This template has no parameters.</Text>}
          {params.map((p) => <ParameterField key={p.name} p={p} text={valueOf(p)} onChange={(v) => setTexts((t) => ({ ...t, [p.name]: v }))} />)}
          <div className={s.buttons}>
            <Button appearance="primary" type="submit" disabled={!basicsValid}>Review + create</Button>
            <Button onClick={() => setStep('template')}>Previous</Button>
          </div>
        </form>
      )}

      {step === 'review' && template && (
        <div className={s.form}>
          <Title3 as="h2">Basics</Title3>
          <ValueField label="Subscription" value={subscription.displayName} />
          <ValueField label="Resource group" value={group} />
          <ValueField label="Deployment name" value={deploymentName} />
          {params.map((p) => (
            <ValueField key={p.name} label={parameterLabel(p.name)}
              value={p.type === 'securestring' || p.type === 'secureobject' ? '••••••••' : valueOf(p)} />
          ))}
          <ErrorBar error={error} />
          <div className={s.buttons}>
            <PermissionButton scope={rgScope} action="Microsoft.Resources/deployments/write" appearance="primary" disabled={busy} onClick={() => void create()}>Create</PermissionButton>
            <Button onClick={() => setStep('basics')} disabled={busy}>Previous</Button>
          </div>
        </div>
      )}
    </Blade>
  );
}
