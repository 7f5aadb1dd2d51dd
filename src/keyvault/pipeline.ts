// The whole path of a Key Vault data plane request, in order, for both ways in (a vault's HTTPS listener
// and the gateway's in-process reads):
//   1. authenticate  bearer token of this server, audience https://vault.azure.net, the vault's tenant;
//                    without one: 401 with the challenge, before the body is read
//   2. firewall      networkAcls: ipRules, or the trusted-services bypass (gateway, system-assigned only)
//   3. route         method + path → operation (secrets, certificates, deleted ones)
//   4. api-version   required, one Key Vault has
//   5. authorize     access policy permission, or the RBAC data action (enableRbacAuthorization)
//   6. validate      body read (bounded) and parsed as JSON (common/http.ts readJsonBody), then checked
//                    by the operation
//   7. handle        the operation on the store
// Serializing (8) is the caller's: the listener writes JSON, the gateway reader returns values.
import { MalformedJsonError } from '../common/http.js';
import { KvErrors } from './errors.js';
import type { KvCaller, Origin, VaultAuth } from './auth.js';
import type { VaultView } from './bundles.js';
import type { OpResult, Route, Stores } from './operation.js';
import { secretRoutes } from './secret-routes.js';
import { certificateRoutes } from './certificate-routes.js';

export interface KvRequest {
  method: string;
  /** Path as sent (percent-encoded), without the query. */
  path: string;
  query: URLSearchParams;
  token: string | undefined;
  origin: Origin;
  /** The body parsed as JSON (undefined when there is none); called only once the caller is authorized. */
  readJson(): Promise<unknown>;
}

const ROUTES: readonly Route[] = [...secretRoutes, ...certificateRoutes];
const API_VERSION = /^(?:7\.[0-6](?:-preview(?:\.\d+)?)?|2015-06-01|2016-10-01|2025-07-01)$/;

export class VaultPipeline {
  constructor(private readonly auth: VaultAuth, private readonly stores: Stores) {}

  async run(view: VaultView, r: KvRequest): Promise<OpResult & { caller: KvCaller }> {
    const caller = await this.auth.authenticate(r.token, view.vault);                  // 1. authenticate
    this.auth.firewall(view.vault, caller, r.origin);                                   // 2. firewall
    const { route, params } = match(r.method, r.path);                                  // 3. route
    checkApiVersion(r.query);                                                           // 4. api-version
    await this.auth.authorize(view.vault, caller, route.need, route.scoped ? params[0] : undefined); // 5. authorize
    const result = await route.handle({                                                 // 6. validate, 7. handle
      view, caller, params, path: r.path, query: r.query, stores: this.stores,
      body: () => r.readJson().catch(badJson),
    });
    return { ...result, caller };
  }
}

function match(method: string, path: string): { route: Route; params: string[] } {
  let pathMatched = false;
  for (const route of ROUTES) {
    const m = route.pattern.exec(path);
    if (!m) continue;
    pathMatched = true;
    if (route.method !== method) continue;
    const params = m.slice(1).filter((p) => p !== undefined).map((p) => {
      try { return decodeURIComponent(p); } catch { throw KvErrors.invalidName(p); }
    });
    return { route, params };
  }
  if (pathMatched) throw KvErrors.methodNotAllowed(method);
  throw KvErrors.noRoute(method, path);
}

function checkApiVersion(query: URLSearchParams): void {
  const v = query.get('api-version');
  if (v === null || v === '') throw KvErrors.missingApiVersion();
  if (!API_VERSION.test(v)) throw KvErrors.badApiVersion(v);
}

/** Key Vault's words for a body that is not JSON (the reader, common/http.ts readJsonBody, says why). */
function badJson(e: unknown): never {
  if (e instanceof MalformedJsonError) throw KvErrors.badBody(`The request body is not valid JSON: ${e.detail}`);
  throw e;
}
