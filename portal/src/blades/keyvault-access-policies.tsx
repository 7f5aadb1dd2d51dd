// Access policies: the vault's policies (who holds which key, secret and certificate permissions),
// "+ Create" as Azure's wizard (Permissions, Principal, Review + create) and Delete. Writes go through
// Resource Manager's accessPolicies/add and /remove, as Azure's portal does.
import { useMemo, useState } from 'react';
import { Button, Checkbox, makeStyles, MessageBar, MessageBarBody, Radio, RadioGroup, SearchBox, Spinner, Tab, Table, TableBody, TableCell, TableHeader, TableHeaderCell, TableRow, TabList, Text, Title3, tokens } from '@fluentui/react-components';
import { AddRegular, ArrowClockwiseRegular, DeleteRegular } from '@fluentui/react-icons';
import { listManagedIdentities, POLICY_PERMISSIONS, VAULT_API, VAULT_TYPE, type AccessPolicy, type PolicyKind, type PrincipalChoice, type Vault } from '../api/keyvault';
import { asAzureApiError, type AzureApiError } from '../api/errors';
import { usePortal } from '../app/context';
import { useAsync } from '../app/use-async';
import { Blade } from '../components/Blade';
import { ErrorBar } from '../components/ErrorBar';
import { PermissionButton } from '../components/PermissionButton';
import type { BladeProps } from './registry';

const useStyles = makeStyles({
  wizard: { display: 'flex', flexDirection: 'column', gap: tokens.spacingVerticalM, border: `1px solid ${tokens.colorNeutralStroke2}`, padding: tokens.spacingHorizontalM, borderRadius: tokens.borderRadiusMedium },
  kinds: { display: 'flex', flexWrap: 'wrap', gap: tokens.spacingHorizontalXXL },
  kind: { display: 'flex', flexDirection: 'column', minWidth: '200px' },
  nav: { display: 'flex', flexWrap: 'wrap', gap: tokens.spacingHorizontalS },
  table: { overflowX: 'auto', maxWidth: '100%' },
  cell: { overflowWrap: 'anywhere' },
});

const KINDS: PolicyKind[] = ['keys', 'secrets', 'certificates'];
type Step = 'permissions' | 'principal' | 'review';
type Selection = Record<PolicyKind, string[]>;
const EMPTY: Selection = { keys: [], secrets: [], certificates: [] };

export default function KeyVaultAccessPolicies({ resourceId }: BladeProps) {
  const { api, subscription } = usePortal();
  const s = useStyles();
  const vault = useAsync(() => api.arm.get<Vault>(resourceId, VAULT_API), [resourceId]);
  const principals = useAsync(() => listManagedIdentities(api, subscription.subscriptionId), [subscription.subscriptionId]);
  const [creating, setCreating] = useState(false);
  const [step, setStep] = useState<Step>('permissions');
  const [perms, setPerms] = useState<Selection>(EMPTY);
  const [search, setSearch] = useState('');
  const [principal, setPrincipal] = useState<PrincipalChoice>();
  const [selected, setSelected] = useState<string[]>([]);
  const [error, setError] = useState<AzureApiError>();
  const [busy, setBusy] = useState(false);
  const [done, setDone] = useState<string>();

  const policies = vault.data?.properties?.accessPolicies ?? [];
  const names = useMemo(() => new Map((principals.data ?? []).map((p) => [p.principalId.toLowerCase(), p])), [principals.data]);
  const nameOf = (p: AccessPolicy) => names.get(p.objectId.toLowerCase())?.name ?? p.objectId;
  const matches = (principals.data ?? []).filter((p) => !search.trim() || `${p.name} ${p.principalId}`.toLowerCase().includes(search.trim().toLowerCase()));
  const rbac = vault.data?.properties?.enableRbacAuthorization === true;
  const anyPerm = KINDS.some((k) => perms[k].length > 0);

  const toggle = (k: PolicyKind, perm: string, on: boolean) => setPerms((p) => ({ ...p, [k]: on ? [...p[k], perm] : p[k].filter((x) => x !== perm) }));
  const reset = () => { setCreating(false); setStep('permissions'); setPerms(EMPTY); setPrincipal(undefined); setSearch(''); };
  const policyChange = (op: 'add' | 'remove', entries: AccessPolicy[]) =>
    api.arm.put(`${resourceId}/accessPolicies/${op}`, VAULT_API, { properties: { accessPolicies: entries } });

  const create = async () => {
    if (!principal || !vault.data?.properties) return;
    setBusy(true); setError(undefined); setDone(undefined);
    try {
      const permissions = Object.fromEntries(KINDS.map((k) => [k, perms[k].map((x) => x.toLowerCase())]));
      await policyChange('add', [{ tenantId: vault.data.properties.tenantId, objectId: principal.principalId, permissions }]);
      setDone(`The access policy for '${principal.name}' was created.`);
      reset(); vault.reload();
    } catch (e) { setError(asAzureApiError(e)); }
    setBusy(false);
  };
  const remove = async () => {
    setBusy(true); setError(undefined); setDone(undefined);
    try {
      await policyChange('remove', policies.filter((p) => selected.includes(p.objectId)));
      setDone(`${selected.length} access ${selected.length === 1 ? 'policy was' : 'policies were'} deleted.`);
      setSelected([]); vault.reload();
    } catch (e) { setError(asAzureApiError(e)); }
    setBusy(false);
  };

  const write = `${VAULT_TYPE}/write`;
  return (
    <Blade title="Access policies" commands={<>
      <PermissionButton scope={resourceId} action={write} icon={<AddRegular />} disabled={creating || !vault.data} onClick={() => { setDone(undefined); setCreating(true); }}>Create</PermissionButton>
      <PermissionButton scope={resourceId} action={write} icon={<DeleteRegular />} disabled={busy || selected.length === 0} onClick={() => void remove()}>Delete</PermissionButton>
      <Button icon={<ArrowClockwiseRegular />} onClick={vault.reload}>Refresh</Button>
    </>}>
      <ErrorBar error={vault.error ?? principals.error ?? error} />
      {done && <MessageBar intent="success"><MessageBarBody>{done}</MessageBarBody></MessageBar>}
      {rbac && <MessageBar intent="warning"><MessageBarBody>Access policies are not available: the permission model is Azure role-based access control (Access configuration).</MessageBarBody></MessageBar>}
      {vault.loading && !vault.data && <Spinner label="Loading access policies" />}

      {creating && (
        <section className={s.wizard} aria-labelledby="kv-ap-create">
          <Title3 as="h2" id="kv-ap-create">Create an access policy</Title3>
          <TabList selectedValue={step} onTabSelect={(_, d) => setStep(d.value as Step)} aria-label="Create an access policy">
            <Tab value="permissions">Permissions</Tab>
            <Tab value="principal">Principal</Tab>
            <Tab value="review" disabled={!principal || !anyPerm}>Review + create</Tab>
          </TabList>
          {step === 'permissions' && (
            <div className={s.kinds}>
              {KINDS.map((k) => {
                const d = POLICY_PERMISSIONS[k];
                const groups: [string, string[] | undefined][] = [['Management operations', d.management], ['Cryptographic operations', d.crypto], ['Privileged operations', d.privileged]];
                return (
                  <div key={k} className={s.kind} role="group" aria-label={d.label}>
                    <Text weight="semibold">{d.label}</Text>
                    {groups.filter(([, list]) => list).map(([title, list]) => (
                      <div key={title} role="group" aria-label={`${d.label}: ${title}`}>
                        <Text size={200}>{title}</Text>
                        {list!.map((perm) => <div key={perm}><Checkbox label={perm} checked={perms[k].includes(perm)} onChange={(_, e) => toggle(k, perm, !!e.checked)} /></div>)}
                      </div>
                    ))}
                  </div>
                );
              })}
            </div>
          )}
          {step === 'principal' && (
            <div>
              <SearchBox aria-label="Select principal" placeholder="Search by name or object ID" value={search} onChange={(_, d) => setSearch(d.value)} />
              {principals.loading && <Spinner label="Loading principals" />}
              {principals.data && matches.length === 0 && <Text>No results.</Text>}
              <RadioGroup aria-label="Principals" value={principal?.principalId ?? ''} onChange={(_, d) => setPrincipal(matches.find((m) => m.principalId === d.value))}>
                {matches.map((m) => <Radio key={m.principalId} value={m.principalId} label={`${m.name} (${m.kind}) ${m.principalId}`} />)}
              </RadioGroup>
              {principal && <Text>Selected: {principal.name}</Text>}
            </div>
          )}
          {step === 'review' && principal && (
            <div>
              <Text block>Principal: {principal.name} ({principal.principalId})</Text>
              {KINDS.map((k) => <Text block key={k}>{POLICY_PERMISSIONS[k].label}: {perms[k].join(', ') || 'None'}</Text>)}
            </div>
          )}
          <div className={s.nav}>
            {step !== 'permissions' && <Button onClick={() => setStep(step === 'review' ? 'principal' : 'permissions')}>Previous</Button>}
            {step !== 'review' && <Button appearance="primary" disabled={step === 'permissions' ? !anyPerm : !principal} onClick={() => setStep(step === 'permissions' ? 'principal' : 'review')}>Next</Button>}
            {step === 'review' && <PermissionButton scope={resourceId} action={write} appearance="primary" disabled={busy} onClick={() => void create()}>Create</PermissionButton>}
            <Button onClick={reset}>Cancel</Button>
          </div>
        </section>
      )}

      {vault.data && policies.length === 0 && <Text>No access policies.</Text>}
      {policies.length > 0 && (
        <div className={s.table}>
          <Table aria-label="Access policies" size="small">
            <TableHeader><TableRow>
              <TableHeaderCell>Select</TableHeaderCell><TableHeaderCell>Name</TableHeaderCell>
              <TableHeaderCell>Key Permissions</TableHeaderCell><TableHeaderCell>Secret Permissions</TableHeaderCell><TableHeaderCell>Certificate Permissions</TableHeaderCell>
            </TableRow></TableHeader>
            <TableBody>
              {policies.map((p) => (
                <TableRow key={p.objectId}>
                  <TableCell><Checkbox aria-label={`Select ${nameOf(p)}`} checked={selected.includes(p.objectId)} onChange={(_, d) => setSelected(d.checked ? [...selected, p.objectId] : selected.filter((x) => x !== p.objectId))} /></TableCell>
                  <TableCell className={s.cell}>{nameOf(p)}</TableCell>
                  {KINDS.map((k) => <TableCell key={k} className={s.cell}>{(p.permissions[k] ?? []).length ? `${p.permissions[k]!.length} selected` : ''}</TableCell>)}
                </TableRow>
              ))}
            </TableBody>
          </Table>
        </div>
      )}
    </Blade>
  );
}
