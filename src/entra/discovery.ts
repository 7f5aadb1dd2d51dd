// OpenID Connect discovery documents (v1 and v2) in Entra's shape, pointing at this server.
export function discoveryDocument(base: string, tenantId: string, version: 1 | 2, issuer: string): Record<string, unknown> {
  const t = `${base}/${tenantId}`;
  const v2 = version === 2;
  return {
    token_endpoint: v2 ? `${t}/oauth2/v2.0/token` : `${t}/oauth2/token`,
    token_endpoint_auth_methods_supported: ['client_secret_post', 'private_key_jwt', 'client_secret_basic'],
    jwks_uri: v2 ? `${t}/discovery/v2.0/keys` : `${t}/discovery/keys`,
    response_modes_supported: ['query', 'fragment', 'form_post'],
    subject_types_supported: ['pairwise'],
    id_token_signing_alg_values_supported: ['RS256'],
    response_types_supported: ['code', 'id_token', 'code id_token', 'token id_token', 'token'],
    scopes_supported: v2 ? ['openid', 'profile', 'email', 'offline_access'] : ['openid'],
    issuer,
    request_uri_parameter_supported: false,
    userinfo_endpoint: `${base}/oidc/userinfo`,
    authorization_endpoint: v2 ? `${t}/oauth2/v2.0/authorize` : `${t}/oauth2/authorize`,
    device_authorization_endpoint: v2 ? `${t}/oauth2/v2.0/devicecode` : `${t}/oauth2/devicecode`,
    http_logout_supported: true,
    frontchannel_logout_supported: true,
    end_session_endpoint: v2 ? `${t}/oauth2/v2.0/logout` : `${t}/oauth2/logout`,
    claims_supported: ['sub', 'iss', 'cloud_instance_name', 'cloud_instance_host_name', 'cloud_graph_host_name', 'msgraph_host', 'aud', 'exp', 'iat', 'auth_time', 'acr', 'nonce', 'tid', 'oid', 'roles', 'appid', 'azp', 'idtyp', 'ver'],
    tenant_region_scope: 'EU',
    cloud_instance_name: 'microsoftonline.com',
    cloud_graph_host_name: 'graph.windows.net',
    msgraph_host: 'graph.microsoft.com',
    rbac_url: 'https://pas.windows.net',
  };
}
