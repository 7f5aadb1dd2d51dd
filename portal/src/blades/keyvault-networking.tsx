// Networking: the vault's firewall (public access from all or selected networks, trusted Microsoft
// services bypass, client IP rules), Apply.
import { useEffect, useState } from 'react';
import { Button, Checkbox, Field, Input, makeStyles, MessageBar, MessageBarBody, Radio, RadioGroup, Spinner, Table, TableBody, TableCell, TableHeader, TableHeaderCell, TableRow, Title3, tokens } from '@fluentui/react-components';
import { AddRegular, DeleteRegular } from '@fluentui/react-icons';
import { VAULT_API, VAULT_TYPE, type Vault } from '../api/keyvault';
import { asAzureApiError, type AzureApiError } from '../api/errors';
import { usePortal } from '../app/context';
import { useAsync } from '../app/use-async';
import { Blade } from '../components/Blade';
import { ErrorBar } from '../components/ErrorBar';
import { PermissionButton } from '../components/PermissionButton';
import type { BladeProps } from './registry';

const useStyles = makeStyles({
  row: { display: 'flex', flexWrap: 'wrap', gap: tokens.spacingHorizontalS, alignItems: 'flex-end' },
  section: { display: 'flex', flexDirection: 'column', gap: tokens.spacingVerticalS },
});

type Access = 'all' | 'selected' | 'disabled';
const IP = /^(\d{1,3})(\.\d{1,3}){3}(\/\d{1,2})?$/;

export default function KeyVaultNetworking({ resourceId }: BladeProps) {
  const { api } = usePortal();
  const s = useStyles();
  const r = useAsync(() => api.arm.get<Vault>(resourceId, VAULT_API), [resourceId]);
  const [access, setAccess] = useState<Access>('all');
  const [bypass, setBypass] = useState(true);
  const [ips, setIps] = useState<string[]>([]);
  const [newIp, setNewIp] = useState('');
  const [error, setError] = useState<AzureApiError>();
  const [busy, setBusy] = useState(false);
  const [saved, setSaved] = useState(false);
  // The form shows the vault's settings once they are read (not the defaults before).
  const [ready, setReady] = useState(false);
  useEffect(() => {
    const p = r.data?.properties;
    if (!p) return;
    setAccess(p.publicNetworkAccess === 'Disabled' ? 'disabled' : p.networkAcls?.defaultAction === 'Deny' ? 'selected' : 'all');
    setBypass((p.networkAcls?.bypass ?? 'AzureServices') === 'AzureServices');
    setIps((p.networkAcls?.ipRules ?? []).map((x) => x.value));
    setReady(true);
  }, [r.data]);
  const ipValid = IP.test(newIp.trim());
  const apply = async () => {
    setBusy(true); setError(undefined); setSaved(false);
    try {
      const prev = r.data?.properties?.networkAcls;
      await api.arm.patch(resourceId, VAULT_API, { properties: {
        publicNetworkAccess: access === 'disabled' ? 'Disabled' : 'Enabled',
        networkAcls: { defaultAction: access === 'all' ? 'Allow' : 'Deny', bypass: bypass ? 'AzureServices' : 'None', ipRules: ips.map((value) => ({ value })), virtualNetworkRules: prev?.virtualNetworkRules ?? [] },
      } });
      setSaved(true); r.reload();
    } catch (e) { setError(asAzureApiError(e)); }
    setBusy(false);
  };
  return (
    <Blade title="Networking" commands={
      <PermissionButton scope={resourceId} action={`${VAULT_TYPE}/write`} appearance="primary" disabled={busy || !r.data} onClick={() => void apply()}>Apply</PermissionButton>
    }>
      <ErrorBar error={r.error ?? error} />
      {saved && <MessageBar intent="success"><MessageBarBody>The firewall settings were saved.</MessageBarBody></MessageBar>}
      {r.loading && !r.data && <Spinner label="Loading" />}
      {r.data && ready && (
        <>
          <Title3 as="h2">Firewalls and virtual networks</Title3>
          <Field label="Allow access from">
            <RadioGroup value={access} onChange={(_, d) => setAccess(d.value as Access)}>
              <Radio value="all" label="Allow public access from all networks" />
              <Radio value="selected" label="Allow public access from specific virtual networks and IP addresses" />
              <Radio value="disabled" label="Disable public access" />
            </RadioGroup>
          </Field>
          <Checkbox checked={bypass} onChange={(_, d) => setBypass(!!d.checked)} label="Allow trusted Microsoft services to bypass this firewall" />
          {access === 'selected' && (
            <section className={s.section} aria-labelledby="kv-fw-ips">
              <Title3 as="h2" id="kv-fw-ips">Firewall</Title3>
              <div className={s.row}>
                <Field label="IPv4 address or CIDR" validationMessage={newIp && !ipValid ? 'Enter an IPv4 address or a CIDR range (1.2.3.4 or 1.2.3.0/24).' : undefined}>
                  <Input value={newIp} onChange={(_, d) => setNewIp(d.value)} />
                </Field>
                <Button icon={<AddRegular />} disabled={!ipValid || ips.includes(newIp.trim())} onClick={() => { setIps([...ips, newIp.trim()]); setNewIp(''); }}>Add IP address</Button>
              </div>
              {ips.length > 0 && (
                <Table aria-label="IP addresses" size="small">
                  <TableHeader><TableRow><TableHeaderCell>IPv4 address or CIDR</TableHeaderCell><TableHeaderCell>Action</TableHeaderCell></TableRow></TableHeader>
                  <TableBody>
                    {ips.map((ip) => (
                      <TableRow key={ip}>
                        <TableCell>{ip}</TableCell>
                        <TableCell><Button size="small" icon={<DeleteRegular />} aria-label={`Remove ${ip}`} onClick={() => setIps(ips.filter((x) => x !== ip))} /></TableCell>
                      </TableRow>
                    ))}
                  </TableBody>
                </Table>
              )}
            </section>
          )}
        </>
      )}
    </Blade>
  );
}
