// Security > Managed identities of an API Management instance, as Azure's portal: the "System assigned"
// tab (Status Off/On, Save → PATCH of the instance's identity; its Object (principal) ID and Azure role
// assignments) and the "User assigned" tab (+ Add: search and select identities; Remove). Turning an
// identity off or removing one asks first: whatever it was granted goes with it.
import { useMemo, useState } from 'react';
import {
  Button, Checkbox, Dropdown, DrawerBody, DrawerFooter, DrawerHeader, DrawerHeaderTitle, Field, makeStyles, MessageBar, MessageBarBody,
  OverlayDrawer, Option, Radio, RadioGroup, SearchBox, Spinner, Tab, TabList, Table, TableBody, TableCell, TableHeader, TableHeaderCell,
  TableRow, Text, Title3, tokens,
} from '@fluentui/react-components';
import { AddRegular, ArrowClockwiseRegular, DeleteRegular, DismissRegular, SaveRegular } from '@fluentui/react-icons';
import { API_VERSIONS, parseResourceId, type ArmResource, type UserAssignedIdentityProperties } from '../api/arm-types';
import {
  APIM_API_VERSION, APIM_WRITE, addUserAssignedPatch, hasSystemAssigned, removeUserAssignedPatch, systemAssignedPatch, userAssignedIds,
  type ApimService,
} from '../api/apim-instance';
import { asAzureApiError, type AzureApiError } from '../api/errors';
import type { RoleDefinition } from '../api/permissions';
import { usePortal } from '../app/context';
import { resourceRoute } from '../app/router';
import { useAsync } from '../app/use-async';
import { Blade } from '../components/Blade';
import { ConfirmDialog } from '../components/ConfirmDialog';
import { ErrorBar } from '../components/ErrorBar';
import { ValueField } from '../components/Field';
import { PermissionButton } from '../components/PermissionButton';
import { PortalLink } from '../components/PortalLink';
import { useService } from './apim-shared';
import { IDENTITY_TYPE } from './managed-identities';
import type { BladeProps } from './registry';

const useStyles = makeStyles({
  stack: { display: 'flex', flexDirection: 'column', gap: tokens.spacingVerticalM, minWidth: 0 },
  cell: { overflowWrap: 'anywhere' },
  scroll: { overflowX: 'auto' },
  drawerStack: { display: 'flex', flexDirection: 'column', gap: tokens.spacingVerticalM },
  hidden: { position: 'absolute', width: '1px', height: '1px', overflow: 'hidden', clip: 'rect(0 0 0 0)', whiteSpace: 'nowrap' },
});

export default function ApimManagedIdentities({ resourceId, query }: BladeProps) {
  const svc = useService(resourceId);
  const [tab, setTab] = useState(query.get('tab') === 'user' ? 'user' : 'system');
  return (
    <Blade title="Managed identities" subtitle={`${parseResourceId(resourceId).name} | API Management service`}>
      <TabList selectedValue={tab} onTabSelect={(_, d) => setTab(String(d.value))} aria-label="Identity type">
        <Tab value="system">System assigned</Tab>
        <Tab value="user">User assigned</Tab>
      </TabList>
      <ErrorBar error={svc.error} />
      {svc.loading && !svc.data && <Spinner label="Loading" />}
      {svc.data && (tab === 'system'
        ? <SystemAssigned resourceId={resourceId} service={svc.data} reload={svc.reload} />
        : <UserAssigned resourceId={resourceId} service={svc.data} reload={svc.reload} />)}
    </Blade>
  );
}

function SystemAssigned({ resourceId, service, reload }: { resourceId: string; service: ApimService; reload(): void }) {
  const { api } = usePortal();
  const s = useStyles();
  const on = hasSystemAssigned(service.identity);
  const [status, setStatus] = useState<'on' | 'off'>(on ? 'on' : 'off');
  const [confirm, setConfirm] = useState(false);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<AzureApiError>();
  const [showRoles, setShowRoles] = useState(false);
  const dirty = (status === 'on') !== on;

  const save = async () => {
    setConfirm(false);
    setBusy(true);
    setError(undefined);
    try {
      await api.arm.patch<ApimService>(resourceId, APIM_API_VERSION, systemAssignedPatch(service.identity, status === 'on'));
      reload();
    } catch (e) { setError(asAzureApiError(e)); }
    setBusy(false);
  };

  return (
    <div className={s.stack}>
      <div role="toolbar" aria-label="System assigned commands" style={{ display: 'flex', gap: 8, flexWrap: 'wrap' }}>
        <PermissionButton scope={resourceId} action={APIM_WRITE} appearance="primary" icon={<SaveRegular />} disabled={!dirty || busy}
          onClick={() => (status === 'off' ? setConfirm(true) : void save())}>Save</PermissionButton>
        <Button icon={<DismissRegular />} disabled={!dirty || busy} onClick={() => setStatus(on ? 'on' : 'off')}>Discard</Button>
        <Button icon={<ArrowClockwiseRegular />} onClick={reload}>Refresh</Button>
      </div>
      <Text>
        A system assigned managed identity is restricted to one per resource and is tied to the lifecycle of this resource. You can grant
        permissions to the managed identity by using Azure role-based access control (Azure RBAC). The managed identity is authenticated with
        Microsoft Entra ID, so you don&apos;t have to store any credentials in code.
      </Text>
      <ErrorBar error={error} />
      {busy && <Spinner size="tiny" label="Saving" />}
      <Field label="Status">
        <RadioGroup layout="horizontal" value={status} onChange={(_, d) => setStatus(d.value === 'on' ? 'on' : 'off')}>
          <Radio value="off" label="Off" />
          <Radio value="on" label="On" />
        </RadioGroup>
      </Field>
      {on && service.identity?.principalId && (
        <>
          <ValueField label="Object (principal) ID" value={service.identity.principalId} copy />
          <Field label="Permissions">
            <div>
              <Button aria-expanded={showRoles} onClick={() => setShowRoles((v) => !v)}>Azure role assignments</Button>
            </div>
          </Field>
          {showRoles && <RoleAssignments principalId={service.identity.principalId} />}
        </>
      )}
      <ConfirmDialog open={confirm} title="Disable system assigned managed identity" confirmLabel="Yes" onCancel={() => setConfirm(false)} onConfirm={() => void save()}>
        Disabling the system assigned managed identity of &apos;{service.name}&apos; deletes its principal from Microsoft Entra ID: its role
        assignments and Key Vault access stop working, and a new identity later gets a new Object (principal) ID. Do you want to continue?
      </ConfirmDialog>
    </div>
  );
}

interface RoleAssignment { id: string; properties: { roleDefinitionId: string; principalId: string; scope: string } }

/** The identity's role assignments in the subscription (Microsoft.Authorization, $filter=principalId eq). */
function RoleAssignments({ principalId }: { principalId: string }) {
  const { api, subscription } = usePortal();
  const s = useStyles();
  const sub = `/subscriptions/${subscription.subscriptionId}`;
  const data = useAsync(async () => {
    const filter = encodeURIComponent(`principalId eq '${principalId}'`);
    const [assignments, roles] = await Promise.all([
      api.arm.list<RoleAssignment>(`${sub}/providers/Microsoft.Authorization/roleAssignments?$filter=${filter}`, API_VERSIONS.authorization),
      api.arm.list<RoleDefinition>(`${sub}/providers/Microsoft.Authorization/roleDefinitions`, API_VERSIONS.authorization),
    ]);
    const roleName = (id: string) => roles.find((r) => r.name.toLowerCase() === id.split('/').pop()?.toLowerCase())?.properties.roleName ?? id.split('/').pop() ?? id;
    return assignments.map((a) => ({ id: a.id, role: roleName(a.properties.roleDefinitionId), scope: a.properties.scope }));
  }, [principalId, sub]);
  return (
    <section className={s.stack} aria-labelledby="role-assignments-title">
      <Title3 as="h2" id="role-assignments-title">Azure role assignments</Title3>
      <ErrorBar error={data.error} />
      {data.loading && !data.data && <Spinner size="tiny" label="Loading role assignments" />}
      {data.data && data.data.length === 0 && <Text>No role assignments found for this identity in this subscription.</Text>}
      {data.data && data.data.length > 0 && (
        <div className={s.scroll} tabIndex={0} role="region" aria-label="Azure role assignments (scrollable)">
          <Table aria-label="Azure role assignments" size="small">
            <TableHeader><TableRow><TableHeaderCell>Role</TableHeaderCell><TableHeaderCell>Resource name</TableHeaderCell><TableHeaderCell>Resource type</TableHeaderCell><TableHeaderCell>Scope</TableHeaderCell></TableRow></TableHeader>
            <TableBody>
              {data.data.map((a) => {
                const p = parseResourceId(a.scope);
                return (
                  <TableRow key={a.id}>
                    <TableCell className={s.cell}>{a.role}</TableCell>
                    <TableCell className={s.cell}>{p.name}</TableCell>
                    <TableCell className={s.cell}>{p.type}</TableCell>
                    <TableCell className={s.cell}>{a.scope}</TableCell>
                  </TableRow>
                );
              })}
            </TableBody>
          </Table>
        </div>
      )}
    </section>
  );
}

function UserAssigned({ resourceId, service, reload }: { resourceId: string; service: ApimService; reload(): void }) {
  const { api } = usePortal();
  const s = useStyles();
  const [adding, setAdding] = useState(false);
  const [selected, setSelected] = useState<string[]>([]);
  const [confirm, setConfirm] = useState(false);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<AzureApiError>();
  const ids = userAssignedIds(service.identity);

  const run = async (bodies: unknown[]) => {
    setBusy(true);
    setError(undefined);
    try {
      // One identity per request when removing: each PATCH is computed from the document it changes.
      for (const body of bodies) await api.arm.patch<ApimService>(resourceId, APIM_API_VERSION, body);
      setSelected([]);
      reload();
    } catch (e) { setError(asAzureApiError(e)); reload(); }
    setBusy(false);
  };

  const remove = async () => {
    setConfirm(false);
    setBusy(true);
    setError(undefined);
    try {
      let current = service;
      for (const id of selected) current = await api.arm.patch<ApimService>(resourceId, APIM_API_VERSION, removeUserAssignedPatch(current.identity, id));
      setSelected([]);
    } catch (e) { setError(asAzureApiError(e)); }
    setBusy(false);
    reload();
  };

  return (
    <div className={s.stack}>
      <div role="toolbar" aria-label="User assigned commands" style={{ display: 'flex', gap: 8, flexWrap: 'wrap' }}>
        <PermissionButton scope={resourceId} action={APIM_WRITE} icon={<AddRegular />} disabled={busy} onClick={() => setAdding(true)}>Add</PermissionButton>
        <PermissionButton scope={resourceId} action={APIM_WRITE} icon={<DeleteRegular />} disabled={busy || selected.length === 0} onClick={() => setConfirm(true)}>Remove</PermissionButton>
        <Button icon={<ArrowClockwiseRegular />} onClick={reload}>Refresh</Button>
      </div>
      <Text>
        User assigned managed identities enable Azure resources to authenticate to cloud services (e.g. Azure Key Vault) without storing
        credentials in code. This type of managed identity is created as a standalone Azure resource and has its own lifecycle.
      </Text>
      <ErrorBar error={error} />
      {busy && <Spinner size="tiny" label="Updating" />}
      {ids.length === 0 && <Text>No user assigned managed identities found on this resource.</Text>}
      {ids.length > 0 && (
        <div className={s.scroll} tabIndex={0} role="region" aria-label="User assigned managed identities (scrollable)">
          <Table aria-label="User assigned managed identities" size="small">
            <TableHeader>
              <TableRow>
                <TableHeaderCell><span className={s.hidden}>Select</span></TableHeaderCell>
                <TableHeaderCell>Name</TableHeaderCell><TableHeaderCell>Resource group</TableHeaderCell>
                <TableHeaderCell>Client ID</TableHeaderCell><TableHeaderCell>Object (principal) ID</TableHeaderCell>
              </TableRow>
            </TableHeader>
            <TableBody>
              {ids.map((id) => {
                const p = parseResourceId(id);
                const v = service.identity!.userAssignedIdentities![id];
                const checked = selected.includes(id);
                return (
                  <TableRow key={id}>
                    <TableCell><Checkbox aria-label={`Select ${p.name}`} checked={checked}
                      onChange={(_, d) => setSelected((cur) => (d.checked ? [...cur, id] : cur.filter((x) => x !== id)))} /></TableCell>
                    <TableCell className={s.cell}><PortalLink to={resourceRoute(id)}>{p.name}</PortalLink></TableCell>
                    <TableCell className={s.cell}>{p.resourceGroup}</TableCell>
                    <TableCell className={s.cell}>{v.clientId}</TableCell>
                    <TableCell className={s.cell}>{v.principalId}</TableCell>
                  </TableRow>
                );
              })}
            </TableBody>
          </Table>
        </div>
      )}
      {adding && <AddUserAssigned existing={ids} onClose={() => setAdding(false)} onAdd={(chosen) => { setAdding(false); void run([addUserAssignedPatch(service.identity, chosen)]); }} />}
      <ConfirmDialog open={confirm} title="Remove user assigned managed identity" confirmLabel="Yes" onCancel={() => setConfirm(false)} onConfirm={() => void remove()}>
        Remove {selected.map((id) => parseResourceId(id).name).join(', ')} from &apos;{service.name}&apos;? Anything the instance reads with
        {selected.length === 1 ? ' this identity' : ' these identities'} (Key Vault certificates and named values, backends) stops working.
      </ConfirmDialog>
    </div>
  );
}

const ALL_GROUPS = '*';

/** "Add user assigned managed identity": the subscription's identities, filtered by resource group and name. */
function AddUserAssigned({ existing, onClose, onAdd }: { existing: string[]; onClose(): void; onAdd(ids: string[]): void }) {
  const { api, subscription } = usePortal();
  const s = useStyles();
  const sub = `/subscriptions/${subscription.subscriptionId}`;
  const list = useAsync(() => api.arm.list<ArmResource<UserAssignedIdentityProperties>>(`${sub}/providers/${IDENTITY_TYPE}`, API_VERSIONS.managedIdentity), [sub]);
  const [group, setGroup] = useState(ALL_GROUPS);
  const [search, setSearch] = useState('');
  const [chosen, setChosen] = useState<string[]>([]);
  const taken = useMemo(() => new Set(existing.map((e) => e.toLowerCase())), [existing]);
  const groups = useMemo(() => [...new Set((list.data ?? []).map((i) => parseResourceId(i.id).resourceGroup ?? ''))].sort(), [list.data]);
  const shown = (list.data ?? []).filter((i) => !taken.has(i.id.toLowerCase())
    && (group === ALL_GROUPS || parseResourceId(i.id).resourceGroup?.toLowerCase() === group.toLowerCase())
    && (search === '' || `${i.name} ${parseResourceId(i.id).resourceGroup ?? ''}`.toLowerCase().includes(search.toLowerCase())));
  return (
    <OverlayDrawer open modalType="non-modal" position="end" size="medium" onOpenChange={(_, d) => { if (!d.open) onClose(); }} aria-labelledby="add-uai-title">
      <DrawerHeader>
        <DrawerHeaderTitle id="add-uai-title" action={<Button appearance="subtle" aria-label="Close" icon={<DismissRegular />} onClick={onClose} />}>
          Add user assigned managed identity
        </DrawerHeaderTitle>
      </DrawerHeader>
      <DrawerBody>
        <div className={s.drawerStack}>
          <Field label="Subscription"><Text>{subscription.displayName}</Text></Field>
          <Field label="Resource group">
            <Dropdown value={group === ALL_GROUPS ? 'All resource groups' : group} selectedOptions={[group]} onOptionSelect={(_, d) => setGroup(d.optionValue ?? ALL_GROUPS)}>
              <Option value={ALL_GROUPS}>All resource groups</Option>
              {groups.map((g) => <Option key={g} value={g}>{g}</Option>)}
            </Dropdown>
          </Field>
          <Field label="User assigned managed identities">
            <SearchBox placeholder="Filter by identity name and/or resource group" value={search} onChange={(_, d) => setSearch(d.value)} />
          </Field>
          <ErrorBar error={list.error} />
          {list.loading && !list.data && <Spinner size="tiny" label="Loading managed identities" />}
          {list.data && shown.length === 0 && <MessageBar><MessageBarBody>No user assigned managed identities to add.</MessageBarBody></MessageBar>}
          <div role="group" aria-label="Identities">
            {shown.map((i) => (
              <div key={i.id}>
                <Checkbox label={`${i.name} (${parseResourceId(i.id).resourceGroup ?? ''})`} checked={chosen.includes(i.id)}
                  onChange={(_, d) => setChosen((cur) => (d.checked ? [...cur, i.id] : cur.filter((x) => x !== i.id)))} />
              </div>
            ))}
          </div>
          {chosen.length > 0 && <Text>Selected: {chosen.map((c) => parseResourceId(c).name).join(', ')}</Text>}
        </div>
      </DrawerBody>
      <DrawerFooter>
        <Button appearance="primary" disabled={chosen.length === 0} onClick={() => onAdd(chosen)}>Add</Button>
        <Button onClick={onClose}>Cancel</Button>
      </DrawerFooter>
    </OverlayDrawer>
  );
}
