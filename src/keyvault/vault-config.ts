// A vault's settings as Resource Manager pushes them (on every change and at start-up), compiled once
// into what the hot path needs: access policies by object id and the firewall's address matcher.
import net from 'node:net';

export interface AccessPolicyEntry {
  tenantId: string;
  objectId: string;
  applicationId?: string;
  permissions: { secrets?: string[]; certificates?: string[]; keys?: string[]; storage?: string[] };
}

export interface VaultSettings {
  /** ARM id of the vault: the scope of RBAC checks. */
  resourceId: string;
  name: string;
  location: string;
  tenantId: string;
  accessPolicies: AccessPolicyEntry[];
  enableRbacAuthorization: boolean;
  enableSoftDelete: boolean;
  softDeleteRetentionInDays: number;
  enablePurgeProtection: boolean;
  networkAcls?: { defaultAction?: string; bypass?: string; ipRules?: { value: string }[] };
  publicNetworkAccess?: string;
}

export type Collection = 'secrets' | 'certificates';

interface CompiledPolicy { appId?: string; secrets: Set<string>; certificates: Set<string> }

export interface CompiledVault {
  settings: VaultSettings;
  key: string;
  label: string;
  /** Access policies by lower-cased object id. */
  policies: Map<string, CompiledPolicy[]>;
  firewall: { deny: boolean; trustedServices: boolean; allows(ip: string): boolean; publicDisabled: boolean };
  recoveryLevel: string;
}

export const vaultKey = (name: string): string => name.toLowerCase();

export function compileVault(settings: VaultSettings): CompiledVault {
  const policies = new Map<string, CompiledPolicy[]>();
  for (const p of settings.accessPolicies) {
    const k = p.objectId.toLowerCase();
    const lc = (a?: string[]) => new Set((a ?? []).map((x) => x.toLowerCase()));
    policies.set(k, [...(policies.get(k) ?? []), {
      appId: p.applicationId ? p.applicationId.toLowerCase() : undefined,
      secrets: lc(p.permissions.secrets), certificates: lc(p.permissions.certificates),
    }]);
  }
  const acls = settings.networkAcls;
  const deny = (acls?.defaultAction ?? 'Allow').toLowerCase() === 'deny';
  const rules = (acls?.ipRules ?? []).map((r) => ipMatcher(r.value));
  return {
    settings, key: vaultKey(settings.name), label: `${settings.name};location=${settings.location}`, policies,
    firewall: {
      deny, trustedServices: (acls?.bypass ?? 'AzureServices').toLowerCase().includes('azureservices'),
      allows: (ip) => rules.some((m) => m(ip)),
      publicDisabled: (settings.publicNetworkAccess ?? 'Enabled').toLowerCase() === 'disabled',
    },
    recoveryLevel: !settings.enableSoftDelete ? 'Purgeable'
      : settings.enablePurgeProtection
        ? (settings.softDeleteRetentionInDays < 90 ? 'CustomizedRecoverable+ProtectedSubscription' : 'Recoverable+ProtectedSubscription')
        : (settings.softDeleteRetentionInDays < 90 ? 'CustomizedRecoverable+Purgeable' : 'Recoverable+Purgeable'),
  };
}

/** Does an access policy of the vault grant `permission` on `collection` to this caller? */
export function policyAllows(vault: CompiledVault, objectId: string, appId: string, collection: Collection, permission: string): boolean {
  const entries = vault.policies.get(objectId.toLowerCase());
  if (!entries) return false;
  const app = appId.toLowerCase();
  return entries.some((p) => (p.appId === undefined || p.appId === app) && (p[collection].has(permission) || p[collection].has('all')));
}

/** `a.b.c.d` or `a.b.c.d/n` (IPv4), or an IPv6 address or prefix. */
export function ipMatcher(rule: string): (ip: string) => boolean {
  const [addr, bitsText] = rule.trim().split('/');
  const family = net.isIP(addr);
  if (family === 0) return () => false;
  const list = new net.BlockList();
  const type = family === 4 ? 'ipv4' : 'ipv6';
  const max = family === 4 ? 32 : 128;
  const bits = bitsText === undefined ? max : Number(bitsText);
  if (!Number.isInteger(bits) || bits < 0 || bits > max) return () => false;
  list.addSubnet(addr, bits, type);
  return (ip) => {
    const f = net.isIP(ip);
    return f !== 0 && list.check(ip, f === 4 ? 'ipv4' : 'ipv6');
  };
}

/** Azure stores an IPv4 address rule as a /32 range. */
export function normalizeIpRule(value: string): string | undefined {
  const v = value.trim();
  const [addr, bits] = v.split('/');
  const family = net.isIP(addr);
  if (family === 0) return undefined;
  const max = family === 4 ? 32 : 128;
  if (bits === undefined) return family === 4 ? `${addr}/32` : addr;
  const n = Number(bits);
  return Number.isInteger(n) && n >= 0 && n <= max && /^\d+$/.test(bits) ? `${addr}/${n}` : undefined;
}
