// Home: the subscription, Azure services, resource groups, and all resources with a type filter and search.
import { useMemo, useState } from 'react';
import { Card, Dropdown, Field, makeStyles, Option, SearchBox, Spinner, Text, Title3, tokens } from '@fluentui/react-components';
import { API_VERSIONS, type ArmResource, type ResourceGroup } from '../api/arm-types';
import { usePortal } from '../app/context';
import { useAsync } from '../app/use-async';
import { Blade } from '../components/Blade';
import { ErrorBar } from '../components/ErrorBar';
import { ValueField } from '../components/Field';
import { PortalLink } from '../components/PortalLink';
import { ResourceTable } from '../components/ResourceTable';
import type { BladeProps } from './registry';

const useStyles = makeStyles({
  services: { display: 'flex', flexWrap: 'wrap', gap: tokens.spacingHorizontalM },
  section: { display: 'flex', flexDirection: 'column', gap: tokens.spacingVerticalS },
  filters: { display: 'flex', flexWrap: 'wrap', gap: tokens.spacingHorizontalM, alignItems: 'flex-end' },
});

const SERVICES: { label: string; route: string }[] = [
  { label: 'Deploy a custom template', route: 'create/Microsoft.Template' },
  { label: 'Managed Identities', route: 'browse/Microsoft.ManagedIdentity/userAssignedIdentities' },
];

export default function Home(_: BladeProps) {
  const { api, subscription } = usePortal();
  const s = useStyles();
  const sub = `/subscriptions/${subscription.subscriptionId}`;
  const groups = useAsync(() => api.arm.list<ResourceGroup>(`${sub}/resourcegroups`, API_VERSIONS.resources), [sub]);
  const resources = useAsync(() => api.arm.list<ArmResource>(`${sub}/resources`, API_VERSIONS.resources), [sub]);
  const [search, setSearch] = useState('');
  const [types, setTypes] = useState<string[]>([]);

  const allTypes = useMemo(() => [...new Set((resources.data ?? []).map((r) => r.type))].sort(), [resources.data]);
  const shown = useMemo(() => {
    const q = search.trim().toLowerCase();
    return (resources.data ?? [])
      .filter((r) => types.length === 0 || types.includes(r.type))
      .filter((r) => !q || [r.name, r.type, r.id, r.location ?? ''].some((v) => v.toLowerCase().includes(q)))
      .sort((a, b) => a.name.localeCompare(b.name));
  }, [resources.data, search, types]);

  return (
    <Blade title="Home">
      <section className={s.section} aria-labelledby="home-subscription">
        <Title3 as="h2" id="home-subscription">Subscription</Title3>
        <ValueField label="Subscription name" value={subscription.displayName} />
        <ValueField label="Subscription ID" value={subscription.subscriptionId} copy />
        <ValueField label="State" value={subscription.state} />
      </section>

      <section className={s.section} aria-labelledby="home-services">
        <Title3 as="h2" id="home-services">Azure services</Title3>
        <div className={s.services}>
          {SERVICES.map((svc) => <Card key={svc.route} size="small"><PortalLink to={svc.route}>{svc.label}</PortalLink></Card>)}
        </div>
      </section>

      <section className={s.section} aria-labelledby="home-groups">
        <Title3 as="h2" id="home-groups">Resource groups</Title3>
        <ErrorBar error={groups.error} />
        {groups.loading && !groups.data && <Spinner size="tiny" label="Loading resource groups" />}
        {groups.data && (groups.data.length === 0
          ? <Text>No resource groups to display.</Text>
          : <ResourceTable label="Resource groups" resources={groups.data} columns={['location']} />)}
      </section>

      <section className={s.section} aria-labelledby="home-resources">
        <Title3 as="h2" id="home-resources">All resources</Title3>
        <div className={s.filters}>
          <Field label="Filter for any field">
            <SearchBox value={search} onChange={(_, d) => setSearch(d.value)} placeholder="Filter for any field..." />
          </Field>
          <Field label="Type">
            <Dropdown multiselect placeholder="All types" selectedOptions={types} value={types.length === 0 ? '' : types.join(', ')}
              onOptionSelect={(_, d) => setTypes(d.selectedOptions)}>
              {allTypes.map((t) => <Option key={t} value={t}>{t}</Option>)}
            </Dropdown>
          </Field>
        </div>
        <ErrorBar error={resources.error} />
        {resources.loading && !resources.data && <Spinner size="tiny" label="Loading resources" />}
        {resources.data && <Text aria-live="polite">Showing {shown.length} of {resources.data.length} records.</Text>}
        {resources.data && shown.length > 0 && <ResourceTable label="All resources" resources={shown} />}
      </section>
    </Blade>
  );
}
