// A namespace as Resource Manager pushes it (on every change under it and at start-up): its hubs,
// consumer groups, shared access rules with their keys, local auth and firewall, compiled once into
// what the AMQP and REST paths look up.
import { ipMatcher } from '../keyvault/index.js';

export type AccessRight = 'Listen' | 'Send' | 'Manage';

export interface AuthorizationRuleSettings {
  name: string;
  rights: AccessRight[];
  primaryKey: string;
  secondaryKey: string;
}

export interface HubSettings {
  /** ARM id of the hub: the scope of RBAC data actions. */
  resourceId: string;
  name: string;
  partitionCount: number;
  /** Events older than this are gone (retentionDescription.retentionTimeInHours, or messageRetentionInDays × 24). */
  retentionHours: number;
  status: string;
  createdAt: string;
  consumerGroups: string[];
  rules: AuthorizationRuleSettings[];
}

export interface NamespaceSettings {
  resourceId: string;
  name: string;
  tenantId: string;
  disableLocalAuth: boolean;
  rules: AuthorizationRuleSettings[];
  hubs: HubSettings[];
  /** networkRuleSets/default, as stored. */
  network?: {
    defaultAction?: string;
    publicNetworkAccess?: string;
    trustedServiceAccessEnabled?: boolean;
    ipRules?: { ipMask: string; action?: string }[];
  };
  /** publicNetworkAccess of the namespace itself. */
  publicNetworkAccess?: string;
}

export interface CompiledHub extends HubSettings {
  key: string;
  consumerGroupKeys: Set<string>;
  rulesByName: Map<string, AuthorizationRuleSettings>;
}

export interface CompiledNamespace {
  settings: NamespaceSettings;
  key: string;
  hubs: Map<string, CompiledHub>;
  rulesByName: Map<string, AuthorizationRuleSettings>;
  firewall: { publicDisabled: boolean; deny: boolean; trustedServices: boolean; allows(ip: string): boolean };
}

export const nsKey = (name: string): string => name.toLowerCase();

export function compileNamespace(settings: NamespaceSettings): CompiledNamespace {
  const hubs = new Map<string, CompiledHub>();
  for (const h of settings.hubs) {
    hubs.set(h.name.toLowerCase(), {
      ...h, key: h.name.toLowerCase(), consumerGroupKeys: new Set(h.consumerGroups.map((c) => c.toLowerCase())),
      rulesByName: new Map(h.rules.map((r) => [r.name.toLowerCase(), r])),
    });
  }
  const net = settings.network;
  const matchers = (net?.ipRules ?? []).filter((r) => (r.action ?? 'Allow') === 'Allow').map((r) => ipMatcher(r.ipMask));
  const publicAccess = (net?.publicNetworkAccess ?? settings.publicNetworkAccess ?? 'Enabled').toLowerCase();
  return {
    settings, key: nsKey(settings.name), hubs,
    rulesByName: new Map(settings.rules.map((r) => [r.name.toLowerCase(), r])),
    firewall: {
      publicDisabled: publicAccess === 'disabled',
      deny: (net?.defaultAction ?? 'Allow').toLowerCase() === 'deny',
      trustedServices: net?.trustedServiceAccessEnabled === true,
      allows: (ip) => matchers.some((m) => m(ip.startsWith('::ffff:') ? ip.slice(7) : ip)),
    },
  };
}

/** How a connection reached the namespace: from an address, or the gateway's in-process one. */
export interface Origin {
  clientIp: string;
  /** True only for the API Management gateway's own connection made with an instance's system-assigned identity. */
  trustedService: boolean;
}

/** The firewall's verdict for a connection: undefined when admitted, else the reason (Event Hubs' message). */
export function firewallRefusal(ns: CompiledNamespace, origin: Origin): string | undefined {
  const fw = ns.firewall;
  if (origin.trustedService && fw.trustedServices) return undefined;
  if (fw.publicDisabled) return `Public network access is disabled for namespace '${ns.settings.name}'. Client IP '${origin.clientIp}'.`;
  if (!fw.deny || fw.allows(origin.clientIp)) return undefined;
  return `Ip has been prevented to connect to the endpoint. For more information see: Virtual Network service endpoints: Event Hubs: https://go.microsoft.com/fwlink/?linkid=2044192. Client IP '${origin.clientIp}'.`;
}
