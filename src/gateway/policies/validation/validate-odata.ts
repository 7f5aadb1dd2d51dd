// validate-odata-request (Microsoft Learn, "Validate OData request"): a request to an OData API checked
// against the OData 4.0/4.01 protocol's rules for what the gateway can see without the service's model:
// the OData-Version / OData-MaxVersion headers (4.0 or 4.01, within min-/max-odata-version; absent:
// default-odata-version), the payload size (max-size, against Content-Length), and the system query
// options (known names, each at most once, lower case in 4.0, $top/$skip non-negative integers,
// $count true/false). A violation answers 400 in APIM's body; the errors go to error-variable-name.
// $filter / $orderby expressions are not parsed (that needs the service's model): see the report.
import { type PolicyDefinition, type Run } from '../../policy/types.js';
import { report, type Issue } from './report.js';

const VERSIONS = ['4.0', '4.01'] as const;
const SYSTEM_OPTIONS = new Set(['$filter', '$select', '$expand', '$orderby', '$top', '$skip', '$count', '$search', '$format', '$compute', '$index',
  '$schemaversion', '$skiptoken', '$deltatoken', '$apply', '$levels', '$id']);
const rank = (v: string) => (v === '4.01' ? 2 : v === '4.0' ? 1 : 0);

const validateOdataRequest: PolicyDefinition = {
  name: 'validate-odata-request',
  sections: ['inbound'],
  scopes: ['global', 'product', 'api'],
  schema: {
    attrs: {
      'error-variable-name': {}, 'default-odata-version': { values: VERSIONS }, 'min-odata-version': { values: VERSIONS },
      'max-odata-version': { values: VERSIONS }, 'max-size': { type: 'int' },
    },
  },
  check(node) {
    const min = node.attrs['min-odata-version'];
    const max = node.attrs['max-odata-version'];
    if (min && max && rank(min) > rank(max)) return `The 'min-odata-version' (${min}) is above the 'max-odata-version' (${max}).`;
    const size = node.attrs['max-size'];
    if (size !== undefined && Number(size) < 0) return `The 'max-size' attribute must not be negative.`;
    return undefined;
  },
  compile(node, c): Run {
    const errorsVariable = c.attr(node, 'error-variable-name')?.constant;
    const defaultVersion = node.attrs['default-odata-version'] ?? '4.0';
    const min = node.attrs['min-odata-version'];
    const max = node.attrs['max-odata-version'];
    const maxSize = node.attrs['max-size'] !== undefined ? Number(node.attrs['max-size']) : undefined;
    return (ctx) => {
      const issues: Issue[] = [];
      const bad = (name: string, type: string, rule: string, m: string) => issues.push({ name, type, rule, details: m, public: m, action: 'prevent' });
      // 1. Versions.
      const given = ctx.header('odata-version')?.trim();
      if (given !== undefined && !(VERSIONS as readonly string[]).includes(given)) bad('OData-Version', 'RequestHeader', 'IncorrectMessage', `The OData-Version header value '${given}' is not a valid OData version.`);
      const version = given !== undefined && (VERSIONS as readonly string[]).includes(given) ? given : defaultVersion;
      if (min && rank(version) < rank(min)) bad('OData-Version', 'RequestHeader', 'IncorrectMessage', `OData version ${version} is lower than the minimum version ${min} allowed.`);
      if (max && rank(version) > rank(max)) bad('OData-Version', 'RequestHeader', 'IncorrectMessage', `OData version ${version} is higher than the maximum version ${max} allowed.`);
      const maxVersion = ctx.header('odata-maxversion')?.trim();
      if (maxVersion !== undefined && !/^4\.(0|01)$/.test(maxVersion)) bad('OData-MaxVersion', 'RequestHeader', 'IncorrectMessage', `The OData-MaxVersion header value '${maxVersion}' is not a valid OData version.`);
      // 2. Size.
      const length = Number(ctx.header('content-length') ?? '0');
      if (maxSize !== undefined && length > maxSize) bad('', 'RequestBody', 'SizeLimit', `Request's body is ${length} bytes long and it exceeds the limit of ${maxSize} bytes.`);
      // 3. System query options: 4.01 allows them without '$' and in any case; 4.0 requires '$' and lower case.
      const seen = new Set<string>();
      for (const key of new Set(ctx.query.keys())) {
        const count = ctx.query.getAll(key).length;
        let option: string | undefined;
        if (key.startsWith('$')) option = version === '4.01' ? key.toLowerCase() : key;
        else if (version === '4.01' && SYSTEM_OPTIONS.has(`$${key.toLowerCase()}`)) option = `$${key.toLowerCase()}`;
        if (option === undefined) continue; // a custom query option
        if (!SYSTEM_OPTIONS.has(option)) { bad(key, 'QueryParameter', 'Unspecified', `The query option '${key}' is not a supported OData system query option.`); continue; }
        if (count > 1 || seen.has(option)) { bad(key, 'QueryParameter', 'IncorrectMessage', `The system query option '${option}' may be specified only once.`); continue; }
        seen.add(option);
        const v = ctx.query.get(key) ?? '';
        if ((option === '$top' || option === '$skip') && !/^\d+$/.test(v)) bad(key, 'QueryParameter', 'IncorrectMessage', `The value '${v}' of the system query option '${option}' is not a non-negative integer.`);
        if (option === '$count' && !/^(true|false)$/i.test(v)) bad(key, 'QueryParameter', 'IncorrectMessage', `The value '${v}' of the system query option '$count' is not 'true' or 'false'.`);
      }
      report(ctx, 'validate-odata-request', issues, errorsVariable);
    };
  },
};

export const validateOdataPolicies: PolicyDefinition[] = [validateOdataRequest];
