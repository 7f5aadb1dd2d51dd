// The provider registry: each resource provider module registers its resource types (api-versions,
// handlers, actions). The front door routes by it and never needs to change for a new provider.
import type { RequestContext } from '../common/http.js';
import type { AccessTokenClaims } from '../entra/index.js';
import type { ArmTarget } from './resource-id.js';

export interface ArmCaller {
  objectId: string;
  /** appid (v1) or azp (v2): the client shown in AuthorizationFailed. */
  clientId: string;
  tenantId: string;
  claims: AccessTokenClaims;
}

/** How AuthorizationFailed names the caller: a user's UPN, else (applications, managed identities) the object id, as Azure. */
export function callerName(caller: ArmCaller): string {
  return typeof caller.claims.upn === 'string' ? caller.claims.upn : caller.objectId;
}

export interface ArmRequest {
  ctx: RequestContext;
  target: ArmTarget;
  apiVersion: string;
  caller: ArmCaller;
  /** Parsed JSON body (PUT, PATCH, POST); undefined when there was none. */
  body: unknown;
}

export interface ArmResult {
  status: number;
  body?: unknown;
  headers?: Record<string, string>;
}

export type ArmHandler = (req: ArmRequest) => Promise<ArmResult>;

/** Where a resource of this type (or a list of them) may sit. */
export type ScopeKind = 'tenant' | 'subscription' | 'resourceGroup' | 'resource';

export interface ResourceTypeRegistration {
  /** Canonical full type, e.g. `Microsoft.ManagedIdentity/userAssignedIdentities`. */
  type: string;
  apiVersions: readonly string[];
  /** Where a single resource of this type lives (its parent scope). Child types use 'resource'. */
  scopes: readonly ScopeKind[];
  /** Where the collection may be listed. */
  listScopes?: readonly ScopeKind[];
  /** Locations this type is offered in (for NoRegisteredProviderFound); empty: global. */
  locations?: readonly string[];
  /** Use InvalidApiVersionParameter (Microsoft.Resources' own types) instead of NoRegisteredProviderFound. */
  apiVersionError?: 'invalidApiVersion' | 'noRegisteredProvider';
  /** The authorization action for each method (null: any authenticated caller); default `{type}/read|write|delete`, `{type}/{action}/action`. */
  actionFor?: (method: string, target: ArmTarget) => string | null;
  get?: ArmHandler;
  put?: ArmHandler;
  patch?: ArmHandler;
  delete?: ArmHandler;
  list?: ArmHandler;
  /** POST actions by lower-cased name (`listsecrets`). */
  actions?: Record<string, ArmHandler>;
  /** HEAD's status when GET answers 200: 204 (Resource Manager's checkExistence) unless set (API Management's getEntityTag: 200). */
  headStatus?: number;
  /** Authorization action names for POST actions, by lower-cased name, when not `{type}/{action}/action`. */
  actionNames?: Record<string, string>;
}

export interface ResourceProviderModule {
  namespace: string;
  types: ResourceTypeRegistration[];
  /** Runs once at start-up, after the store is open (e.g. to start listeners of existing resources). */
  init?(): Promise<void>;
}

export class ProviderRegistry {
  private readonly types = new Map<string, ResourceTypeRegistration>();
  private readonly namespaces = new Map<string, string>();

  private readonly modules: ResourceProviderModule[] = [];

  register(provider: ResourceProviderModule): void {
    this.modules.push(provider);
    this.namespaces.set(provider.namespace.toLowerCase(), provider.namespace);
    for (const t of provider.types) {
      if (!t.type.toLowerCase().startsWith(provider.namespace.toLowerCase() + '/')) {
        throw new Error(`type ${t.type} is not in namespace ${provider.namespace}`);
      }
      this.types.set(t.type.toLowerCase(), t);
    }
  }

  namespace(name: string): string | undefined {
    return this.namespaces.get(name.toLowerCase());
  }

  type(fullType: string): ResourceTypeRegistration | undefined {
    return this.types.get(fullType.toLowerCase());
  }

  /** Types of one namespace, for the providers API. */
  typesOf(namespace: string): ResourceTypeRegistration[] {
    const prefix = namespace.toLowerCase() + '/';
    return [...this.types.values()].filter((t) => t.type.toLowerCase().startsWith(prefix));
  }

  async initAll(): Promise<void> {
    for (const m of this.modules) await m.init?.();
  }

  allNamespaces(): string[] {
    return [...this.namespaces.values()];
  }
}

/** Authorization action for a request: Azure's `{type}/read|write|delete`, `{type}/{action}/action`. */
export function defaultAction(method: string, target: ArmTarget): string {
  const t = target.registration.type;
  if (target.kind === 'action') {
    const named = target.registration.actionNames?.[target.action!.toLowerCase()];
    return named ?? `${t}/${target.action}/action`;
  }
  switch (method) {
    case 'GET': case 'HEAD': return `${t}/read`;
    case 'DELETE': return `${t}/delete`;
    default: return `${t}/write`;
  }
}
