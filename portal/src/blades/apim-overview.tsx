// An API Management instance's Overview: Essentials (gateway URL, management details), its managed
// identities in short, and its custom domains.
import { makeStyles, Spinner, Table, TableBody, TableCell, TableHeader, TableHeaderCell, TableRow, Text, Title3, tokens } from '@fluentui/react-components';
import { parseResourceId, regionDisplayName } from '../api/arm-types';
import { customHostnames, hasSystemAssigned, userAssignedIds } from '../api/apim-instance';
import { usePortal } from '../app/context';
import { resourceRoute } from '../app/router';
import { Blade } from '../components/Blade';
import { ErrorBar } from '../components/ErrorBar';
import { ValueField } from '../components/Field';
import { PortalLink } from '../components/PortalLink';
import { useService } from './apim-shared';
import type { BladeProps } from './registry';

const useStyles = makeStyles({
  section: { display: 'flex', flexDirection: 'column', gap: tokens.spacingVerticalS, minWidth: 0 },
  cell: { overflowWrap: 'anywhere' },
  scroll: { overflowX: 'auto' },
});

export default function ApimOverview({ resourceId }: BladeProps) {
  const { subscription } = usePortal();
  const s = useStyles();
  const parts = parseResourceId(resourceId);
  const svc = useService(resourceId);
  const d = svc.data;
  const p = d?.properties;
  const users = userAssignedIds(d?.identity);
  const domains = customHostnames(d);
  return (
    <Blade title={parts.name} subtitle="API Management service">
      <ErrorBar error={svc.error} />
      {svc.loading && !d && <Spinner label="Loading" />}
      {d && (
        <>
          <section className={s.section} aria-labelledby="apim-essentials">
            <Title3 as="h2" id="apim-essentials">Essentials</Title3>
            <ValueField label="Resource group" value={parts.resourceGroup} />
            <ValueField label="Status" value={p?.provisioningState === 'Succeeded' ? 'Online' : p?.provisioningState} />
            <ValueField label="Location" value={regionDisplayName(d.location)} />
            <ValueField label="Subscription" value={subscription.displayName} />
            <ValueField label="Subscription ID" value={parts.subscriptionId} />
            <ValueField label="Tier" value={d.sku ? `${d.sku.name} (${d.sku.capacity} unit${d.sku.capacity === 1 ? '' : 's'})` : undefined} />
            <ValueField label="Gateway URL" value={p?.gatewayUrl} copy />
            <ValueField label="Developer portal URL" value={p?.developerPortalUrl} />
            <ValueField label="Management API URL" value={p?.managementApiUrl} />
            <ValueField label="Platform version" value={p?.platformVersion} />
            <ValueField label="Organization name" value={p?.publisherName} />
            <ValueField label="Administrator email" value={p?.publisherEmail} />
          </section>
          <section className={s.section} aria-labelledby="apim-identity">
            <Title3 as="h2" id="apim-identity">Managed identities</Title3>
            <ValueField label="System assigned" value={hasSystemAssigned(d.identity) ? 'On' : 'Off'} />
            {hasSystemAssigned(d.identity) && <ValueField label="Object (principal) ID" value={d.identity?.principalId} copy />}
            <ValueField label="User assigned" value={users.length === 0 ? 'None' : users.map((u) => parseResourceId(u).name).join(', ')} />
            <Text><PortalLink to={resourceRoute(resourceId, 'managedidentities')}>Manage identities</PortalLink></Text>
          </section>
          <section className={s.section} aria-labelledby="apim-domains">
            <Title3 as="h2" id="apim-domains">Custom domains</Title3>
            {domains.length === 0 ? <Text>No custom domains.</Text> : (
              <div className={s.scroll} tabIndex={0} role="region" aria-label="Custom domains (scrollable)">
                <Table aria-label="Custom domains" size="small">
                  <TableHeader><TableRow><TableHeaderCell>Type</TableHeaderCell><TableHeaderCell>Hostname</TableHeaderCell><TableHeaderCell>Certificate source</TableHeaderCell><TableHeaderCell>Status</TableHeaderCell></TableRow></TableHeader>
                  <TableBody>
                    {domains.map((h) => (
                      <TableRow key={h.hostName}>
                        <TableCell>{h.type}</TableCell>
                        <TableCell className={s.cell}>{h.hostName}</TableCell>
                        <TableCell>{h.certificateSource ?? ''}</TableCell>
                        <TableCell>{h.certificateStatus ?? ''}</TableCell>
                      </TableRow>
                    ))}
                  </TableBody>
                </Table>
              </div>
            )}
            <Text><PortalLink to={resourceRoute(resourceId, 'customdomains')}>Manage custom domains</PortalLink></Text>
          </section>
        </>
      )}
    </Blade>
  );
}
