// Access control (IAM): the role assignments that apply to the resource, Remove, and "Add role
// assignment" as Azure's wizard: Role (searchable), Members (Managed identity > "+ Select members"
// panel: subscription, identity type, selection), Review + assign. Works for any resource's scope.
import { useMemo, useState } from 'react';
import {
  Button, Checkbox, Dialog, DialogActions, DialogBody, DialogContent, DialogSurface, DialogTitle, Dropdown, Field, Input, makeStyles, MessageBar, MessageBarBody,
  Option, Radio, RadioGroup, SearchBox, Spinner, Tab, Table, TableBody, TableCell, TableHeader, TableHeaderCell, TableRow, TabList, Text, Title3, tokens,
} from '@fluentui/react-components';
import { AddRegular, ArrowClockwiseRegular, DeleteRegular } from '@fluentui/react-icons';
import { API_VERSIONS, type ArmResource } from '../api/arm-types';
import { listManagedIdentities, type PrincipalChoice } from '../api/keyvault';
import { asAzureApiError, type AzureApiError } from '../api/errors';
import { usePortal } from '../app/context';
import { clearPermissionCache } from '../app/permissions';
import { useAsync } from '../app/use-async';
import { Blade } from '../components/Blade';
import { ErrorBar } from '../components/ErrorBar';
import { PermissionButton } from '../components/PermissionButton';
import type { BladeProps } from './registry';

const useStyles = makeStyles({
  wizard: { display: 'flex', flexDirection: 'column', gap: tokens.spacingVerticalM, border: `1px solid ${tokens.colorNeutralStroke2}`, padding: tokens.spacingHorizontalM, borderRadius: tokens.borderRadiusMedium },
  nav: { display: 'flex', flexWrap: 'wrap', gap: tokens.spacingHorizontalS },
  roles: { maxHeight: '320px', overflowY: 'auto' },
  table: { overflowX: 'auto', maxWidth: '100%' },
  cell: { overflowWrap: 'anywhere' },
  desc: { color: tokens.colorNeutralForeground3 },
});

type RoleDefinition = ArmResource<{ roleName: string; description?: string; type?: string }>;
type RoleAssignment = ArmResource<{ roleDefinitionId: string; principalId: string; principalType?: string; scope: string }>;
type Step = 'role' | 'members' | 'review';
type AssignTo = 'user' | 'managedIdentity';
type IdentityKind = PrincipalChoice['kind'];
const AUTH = 'Microsoft.Authorization';

export default function AccessControl({ resourceId }: BladeProps) {
  const { api, subscription } = usePortal();
  const s = useStyles();
  const sub = `/subscriptions/${subscription.subscriptionId}`;
  const roles = useAsync(() => api.arm.list<RoleDefinition>(`${sub}/providers/${AUTH}/roleDefinitions`, API_VERSIONS.authorization), [sub]);
  const assignments = useAsync(() => api.arm.list<RoleAssignment>(`${resourceId}/providers/${AUTH}/roleAssignments`, API_VERSIONS.authorization), [resourceId]);
  const identities = useAsync(() => listManagedIdentities(api, subscription.subscriptionId), [subscription.subscriptionId]);
  const [adding, setAdding] = useState(false);
  const [step, setStep] = useState<Step>('role');
  const [roleSearch, setRoleSearch] = useState('');
  const [role, setRole] = useState<RoleDefinition>();
  const [assignTo, setAssignTo] = useState<AssignTo>('managedIdentity');
  const [objectId, setObjectId] = useState('');
  const [members, setMembers] = useState<PrincipalChoice[]>([]);
  const [picking, setPicking] = useState(false);
  const [pickKind, setPickKind] = useState<IdentityKind>('User-assigned managed identity');
  const [pickSearch, setPickSearch] = useState('');
  const [picked, setPicked] = useState<PrincipalChoice[]>([]);
  const [error, setError] = useState<AzureApiError>();
  const [busy, setBusy] = useState(false);
  const [done, setDone] = useState<string>();

  const roleName = useMemo(() => new Map((roles.data ?? []).map((r) => [r.id.toLowerCase(), r.properties?.roleName ?? r.name])), [roles.data]);
  const principalName = useMemo(() => new Map((identities.data ?? []).map((p) => [p.principalId.toLowerCase(), p])), [identities.data]);
  const shownRoles = (roles.data ?? []).filter((r) => {
    const q = roleSearch.trim().toLowerCase();
    return !q || `${r.properties?.roleName} ${r.properties?.description ?? ''} ${r.name}`.toLowerCase().includes(q);
  }).sort((a, b) => (a.properties?.roleName ?? '').localeCompare(b.properties?.roleName ?? ''));
  const candidates = (identities.data ?? []).filter((p) => p.kind === pickKind && (!pickSearch.trim() || p.name.toLowerCase().includes(pickSearch.trim().toLowerCase())));
  const guid = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
  const chosen: { principalId: string; principalType: string; name: string }[] = assignTo === 'managedIdentity'
    ? members.map((m) => ({ principalId: m.principalId, principalType: 'ServicePrincipal', name: m.name }))
    : guid.test(objectId.trim()) ? [{ principalId: objectId.trim(), principalType: 'ServicePrincipal', name: objectId.trim() }] : [];

  const reset = () => { setAdding(false); setStep('role'); setRole(undefined); setMembers([]); setObjectId(''); setRoleSearch(''); };
  const assign = async () => {
    if (!role) return;
    setBusy(true); setError(undefined); setDone(undefined);
    try {
      for (const m of chosen) {
        await api.arm.put(`${resourceId}/providers/${AUTH}/roleAssignments/${crypto.randomUUID()}`, API_VERSIONS.authorization, {
          properties: { roleDefinitionId: role.id, principalId: m.principalId, principalType: m.principalType },
        });
      }
      setDone(`'${role.properties?.roleName}' was assigned to ${chosen.map((c) => c.name).join(', ')}.`);
      clearPermissionCache(api);
      reset(); assignments.reload();
    } catch (e) { setError(asAzureApiError(e)); }
    setBusy(false);
  };
  const remove = async (a: RoleAssignment) => {
    setBusy(true); setError(undefined); setDone(undefined);
    try {
      await api.arm.delete(a.id, API_VERSIONS.authorization);
      setDone('The role assignment was removed.');
      clearPermissionCache(api);
      assignments.reload();
    } catch (e) { setError(asAzureApiError(e)); }
    setBusy(false);
  };
  const write = `${AUTH}/roleAssignments/write`;
  const here = (a: RoleAssignment) => a.properties?.scope?.toLowerCase() === resourceId.toLowerCase();

  return (
    <Blade title="Access control (IAM)" commands={<>
      <PermissionButton scope={resourceId} action={write} icon={<AddRegular />} disabled={adding} onClick={() => { setDone(undefined); setAdding(true); }}>Add role assignment</PermissionButton>
      <Button icon={<ArrowClockwiseRegular />} onClick={assignments.reload}>Refresh</Button>
    </>}>
      <ErrorBar error={assignments.error ?? roles.error ?? error} />
      {done && <MessageBar intent="success"><MessageBarBody>{done}</MessageBarBody></MessageBar>}

      {adding && (
        <section className={s.wizard} aria-labelledby="iam-add">
          <Title3 as="h2" id="iam-add">Add role assignment</Title3>
          <TabList selectedValue={step} onTabSelect={(_, d) => setStep(d.value as Step)} aria-label="Add role assignment">
            <Tab value="role">Role</Tab>
            <Tab value="members" disabled={!role}>Members</Tab>
            <Tab value="review" disabled={!role || chosen.length === 0}>Review + assign</Tab>
          </TabList>
          {step === 'role' && (
            <div>
              <SearchBox aria-label="Search by role name or description" placeholder="Search by role name or description" value={roleSearch} onChange={(_, d) => setRoleSearch(d.value)} />
              {roles.loading && <Spinner label="Loading roles" />}
              <div className={s.roles}>
                <RadioGroup aria-label="Roles" value={role?.id ?? ''} onChange={(_, d) => setRole(shownRoles.find((r) => r.id === d.value))}>
                  {shownRoles.map((r) => <Radio key={r.id} value={r.id} label={r.properties?.roleName ?? r.name} />)}
                </RadioGroup>
              </div>
              {role && <Text block>Selected role: {role.properties?.roleName}. <span className={s.desc}>{role.properties?.description}</span></Text>}
            </div>
          )}
          {step === 'members' && (
            <div className={s.wizard}>
              <Field label="Assign access to">
                <RadioGroup value={assignTo} onChange={(_, d) => setAssignTo(d.value as AssignTo)}>
                  <Radio value="user" label="User, group, or service principal" />
                  <Radio value="managedIdentity" label="Managed identity" />
                </RadioGroup>
              </Field>
              {assignTo === 'user' && (
                <Field label="Object ID" hint="The object (principal) ID of the user, group or service principal.">
                  <Input value={objectId} onChange={(_, d) => setObjectId(d.value)} />
                </Field>
              )}
              {assignTo === 'managedIdentity' && (
                <>
                  <div><Button icon={<AddRegular />} onClick={() => { setPicked(members); setPicking(true); }}>Select members</Button></div>
                  {members.length > 0 && (
                    <Table aria-label="Selected members" size="small">
                      <TableHeader><TableRow><TableHeaderCell>Name</TableHeaderCell><TableHeaderCell>Object ID</TableHeaderCell><TableHeaderCell>Type</TableHeaderCell></TableRow></TableHeader>
                      <TableBody>{members.map((m) => (
                        <TableRow key={m.principalId}><TableCell className={s.cell}>{m.name}</TableCell><TableCell className={s.cell}>{m.principalId}</TableCell><TableCell>{m.kind}</TableCell></TableRow>
                      ))}</TableBody>
                    </Table>
                  )}
                </>
              )}
            </div>
          )}
          {step === 'review' && role && (
            <div>
              <Text block>Role: {role.properties?.roleName}</Text>
              <Text block>Scope: <span className={s.cell}>{resourceId}</span></Text>
              <Text block>Members: {chosen.map((c) => c.name).join(', ')}</Text>
            </div>
          )}
          <div className={s.nav}>
            {step !== 'role' && <Button onClick={() => setStep(step === 'review' ? 'members' : 'role')}>Previous</Button>}
            {step !== 'review' && <Button appearance="primary" disabled={step === 'role' ? !role : chosen.length === 0} onClick={() => setStep(step === 'role' ? 'members' : 'review')}>Next</Button>}
            {step === 'review' && <PermissionButton scope={resourceId} action={write} appearance="primary" disabled={busy} onClick={() => void assign()}>Review + assign</PermissionButton>}
            <Button onClick={reset}>Cancel</Button>
          </div>
        </section>
      )}

      <Dialog open={picking} onOpenChange={(_, d) => setPicking(d.open)}>
        <DialogSurface aria-label="Select managed identities">
          <DialogBody>
            <DialogTitle>Select managed identities</DialogTitle>
            <DialogContent>
              <Field label="Subscription">
                <Dropdown value={subscription.displayName} selectedOptions={[subscription.subscriptionId]}>
                  <Option value={subscription.subscriptionId}>{subscription.displayName}</Option>
                </Dropdown>
              </Field>
              <Field label="Managed identity">
                <Dropdown value={pickKind} selectedOptions={[pickKind]} onOptionSelect={(_, d) => setPickKind(d.optionValue as IdentityKind)}>
                  <Option value="User-assigned managed identity">User-assigned managed identity</Option>
                  <Option value="API Management">API Management</Option>
                </Dropdown>
              </Field>
              <Field label="Select">
                <Input value={pickSearch} onChange={(_, d) => setPickSearch(d.value)} placeholder="Search by name" />
              </Field>
              {identities.loading && <Spinner label="Loading identities" />}
              {identities.data && candidates.length === 0 && <Text block>No managed identities of this type.</Text>}
              {candidates.map((c) => (
                <div key={c.principalId}>
                  <Checkbox label={c.name} checked={picked.some((p) => p.principalId === c.principalId)}
                    onChange={(_, d) => setPicked(d.checked ? [...picked, c] : picked.filter((p) => p.principalId !== c.principalId))} />
                </div>
              ))}
              <Text block>Selected members: {picked.map((p) => p.name).join(', ') || 'none'}</Text>
            </DialogContent>
            <DialogActions>
              <Button appearance="primary" disabled={picked.length === 0} onClick={() => { setMembers(picked); setPicking(false); }}>Select</Button>
              <Button onClick={() => setPicking(false)}>Close</Button>
            </DialogActions>
          </DialogBody>
        </DialogSurface>
      </Dialog>

      <Title3 as="h2">Role assignments</Title3>
      {assignments.loading && !assignments.data && <Spinner label="Loading role assignments" />}
      {assignments.data && assignments.data.length === 0 && <Text>No role assignments.</Text>}
      {assignments.data && assignments.data.length > 0 && (
        <div className={s.table}>
          <Table aria-label="Role assignments" size="small">
            <TableHeader><TableRow>
              <TableHeaderCell>Name</TableHeaderCell><TableHeaderCell>Type</TableHeaderCell><TableHeaderCell>Role</TableHeaderCell><TableHeaderCell>Scope</TableHeaderCell><TableHeaderCell>Action</TableHeaderCell>
            </TableRow></TableHeader>
            <TableBody>
              {assignments.data.map((a) => {
                const p = a.properties!;
                const who = principalName.get(p.principalId.toLowerCase())?.name ?? p.principalId;
                const rn = roleName.get(p.roleDefinitionId.toLowerCase()) ?? p.roleDefinitionId.split('/').pop();
                return (
                  <TableRow key={a.id}>
                    <TableCell className={s.cell}>{who}</TableCell>
                    <TableCell>{p.principalType ?? ''}</TableCell>
                    <TableCell className={s.cell}>{rn}</TableCell>
                    <TableCell className={s.cell}>{here(a) ? 'This resource' : `${p.scope} (Inherited)`}</TableCell>
                    <TableCell>{here(a) && <PermissionButton scope={resourceId} action={`${AUTH}/roleAssignments/delete`} icon={<DeleteRegular />} disabled={busy} onClick={() => void remove(a)}>Remove</PermissionButton>}</TableCell>
                  </TableRow>
                );
              })}
            </TableBody>
          </Table>
        </div>
      )}
    </Blade>
  );
}
