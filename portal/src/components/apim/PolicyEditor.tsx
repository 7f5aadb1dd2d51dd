// The policy code editor of one scope (All APIs, an API, an operation): the document as stored (rawxml),
// Save → PUT policies/policy {format: rawxml}; a 400 ValidationError lists each problem at its line and
// column, and the caret goes to the first one.
import { useEffect, useRef, useState } from 'react';
import { Button, makeStyles, MessageBar, MessageBarBody, Spinner, tokens } from '@fluentui/react-components';
import { SaveRegular, DismissRegular } from '@fluentui/react-icons';
import { APIM_VERSION, APIM_WRITE, DEFAULT_POLICY, GLOBAL_DEFAULT_POLICY, policyPath, policyProblems, type PolicyProblem, type PolicyProperties } from '../../api/apim';
import type { ArmResource } from '../../api/arm-types';
import { asAzureApiError, type AzureApiError } from '../../api/errors';
import { usePortal } from '../../app/context';
import { useAsync } from '../../app/use-async';
import { ErrorBar } from '../ErrorBar';
import { PermissionButton } from '../PermissionButton';
import { XmlEditor, type XmlEditorHandle } from '../XmlEditor';

const useStyles = makeStyles({
  root: { display: 'flex', flexDirection: 'column', gap: tokens.spacingVerticalS, minWidth: 0 },
  bar: { display: 'flex', flexWrap: 'wrap', gap: tokens.spacingHorizontalS },
});

export function PolicyEditor({ serviceId, apiName, operationName, scopeLabel }: { serviceId: string; apiName?: string; operationName?: string; scopeLabel: string }) {
  const { api } = usePortal();
  const s = useStyles();
  const path = policyPath(serviceId, apiName, operationName);
  const loaded = useAsync(async () => {
    try {
      return (await api.arm.get<ArmResource<PolicyProperties>>(`${path}?format=rawxml`, APIM_VERSION)).properties?.value ?? '';
    } catch (e) {
      // No policy yet at this scope: start from the document Azure's portal shows.
      if (asAzureApiError(e).status === 404) return apiName ? DEFAULT_POLICY : GLOBAL_DEFAULT_POLICY;
      throw e;
    }
  }, [path]);
  const [text, setText] = useState<string | undefined>(undefined);
  const [error, setError] = useState<AzureApiError>();
  const [problems, setProblems] = useState<PolicyProblem[]>([]);
  const [saving, setSaving] = useState(false);
  const [saved, setSaved] = useState(false);
  const editor = useRef<XmlEditorHandle>(null);
  useEffect(() => { setText(undefined); setError(undefined); setProblems([]); setSaved(false); }, [path]);
  const value = text ?? loaded.data ?? '';
  const dirty = text !== undefined && text !== loaded.data;

  const save = async () => {
    setSaving(true); setError(undefined); setProblems([]); setSaved(false);
    try {
      await api.arm.put(path, APIM_VERSION, { properties: { format: 'rawxml', value } });
      setSaved(true);
      loaded.reload();
      setText(undefined);
    } catch (e) {
      const err = asAzureApiError(e);
      const found = policyProblems(err);
      setError(err);
      setProblems(found);
      if (found.length > 0) setTimeout(() => editor.current?.focusAt(found[0].line, found[0].column), 0);
    } finally { setSaving(false); }
  };

  if (loaded.loading && loaded.data === undefined) return <Spinner label="Loading the policy" />;
  return (
    <section className={s.root} aria-label={`Policies: ${scopeLabel}`}>
      <ErrorBar error={loaded.error} />
      <XmlEditor ref={editor} label={`Policy document (${scopeLabel})`} value={value} onChange={(v) => { setText(v); setSaved(false); }} problems={problems}
        hint="XML as API Management takes it (rawxml); policy expressions @(...) and @{...} are highlighted." />
      <ErrorBar error={problems.length > 0 ? undefined : error} />
      {saved && <MessageBar intent="success"><MessageBarBody>Policy saved.</MessageBarBody></MessageBar>}
      <div className={s.bar}>
        <PermissionButton scope={serviceId} action={APIM_WRITE} appearance="primary" icon={<SaveRegular />} disabled={saving} onClick={() => void save()}>Save</PermissionButton>
        <Button icon={<DismissRegular />} disabled={!dirty || saving} onClick={() => { setText(undefined); setProblems([]); setError(undefined); }}>Discard</Button>
      </div>
    </section>
  );
}
