// The certificates API: import, get (latest and by version), list, versions, update, policy,
// delete, deleted, recover, purge. The private key is read through the secrets API (secret-routes.ts).
import { KvErrors } from './errors.js';
import { checkName } from './objects.js';
import {
  certificateBundle, certificateItem, deletedCertificateBundle, deletedCertificateItem, listPage, policyBody,
} from './bundles.js';
import { attributes, certNeed, object, optString, tags, type Operation, type Route } from './operation.js';
import { purgeCheck } from './secret-routes.js';

const N = '([^/]+)';
const retention = (op: Operation) => (op.view.vault.settings.enableSoftDelete ? op.view.vault.settings.softDeleteRetentionInDays : undefined);

function policyObject(v: unknown): Record<string, any> | undefined {
  if (v === undefined || v === null) return undefined;
  if (typeof v !== 'object' || Array.isArray(v)) throw KvErrors.badBody("Property 'policy' must be an object.");
  return v as Record<string, any>;
}

export const certificateRoutes: Route[] = [
  {
    method: 'GET', pattern: /^\/certificates\/?$/, need: certNeed('list', 'read'), scoped: false,
    async handle(op) {
      const items = (await op.stores.certificates.list(op.view.vault.key)).map((c) => certificateItem(op.view, c, false));
      return { status: 200, body: listPage(op.view, op.path, op.query, items) };
    },
  },
  {
    method: 'POST', pattern: new RegExp(`^/certificates/${N}/import$`), need: certNeed('import', 'import/action'), scoped: true,
    async handle(op) {
      checkName(op.params[0]);
      const body = object(await op.body());
      if (typeof body.value !== 'string' || body.value === '') throw KvErrors.missingProperty('value');
      const attrs = attributes(body.attributes);
      const c = await op.stores.certificates.import(op.view.vault.key, op.params[0], {
        value: body.value, password: optString(body.pwd, 'pwd') ?? undefined, policy: policyObject(body.policy),
        attributes: attrs, tags: tags(body.tags),
      });
      return { status: 200, body: certificateBundle(op.view, c) };
    },
  },
  {
    method: 'GET', pattern: new RegExp(`^/certificates/${N}/versions$`), need: certNeed('list', 'read'), scoped: true,
    async handle(op) {
      checkName(op.params[0]);
      const items = (await op.stores.certificates.versions(op.view.vault.key, op.params[0])).map((c) => certificateItem(op.view, c, true));
      return { status: 200, body: listPage(op.view, op.path, op.query, items) };
    },
  },
  {
    method: 'GET', pattern: new RegExp(`^/certificates/${N}/policy$`), need: certNeed('get', 'read'), scoped: true,
    async handle(op) {
      checkName(op.params[0]);
      const c = await op.stores.certificates.get(op.view.vault.key, op.params[0], undefined);
      return { status: 200, body: policyBody(op.view, c.version.name, c.policy) };
    },
  },
  {
    method: 'PATCH', pattern: new RegExp(`^/certificates/${N}/policy$`), need: certNeed('update', 'write'), scoped: true,
    async handle(op) {
      checkName(op.params[0]);
      const policy = await op.stores.certificates.updatePolicy(op.view.vault.key, op.params[0], object(await op.body()));
      const c = await op.stores.certificates.get(op.view.vault.key, op.params[0], undefined);
      return { status: 200, body: policyBody(op.view, c.version.name, policy) };
    },
  },
  {
    method: 'GET', pattern: new RegExp(`^/certificates/${N}(?:/([^/]*))?$`), need: certNeed('get', 'read'), scoped: true,
    async handle(op) {
      checkName(op.params[0]);
      return { status: 200, body: certificateBundle(op.view, await op.stores.certificates.get(op.view.vault.key, op.params[0], op.params[1])) };
    },
  },
  {
    method: 'PATCH', pattern: new RegExp(`^/certificates/${N}(?:/([^/]*))?$`), need: certNeed('update', 'write'), scoped: true,
    async handle(op) {
      checkName(op.params[0]);
      const body = object(await op.body());
      const c = await op.stores.certificates.update(op.view.vault.key, op.params[0], op.params[1] ?? '', {
        enabled: attributes(body.attributes)?.enabled, tags: tags(body.tags), policy: policyObject(body.policy),
      });
      return { status: 200, body: certificateBundle(op.view, c) };
    },
  },
  {
    method: 'DELETE', pattern: new RegExp(`^/certificates/${N}/?$`), need: certNeed('delete', 'delete'), scoped: true,
    async handle(op) {
      checkName(op.params[0]);
      const c = await op.stores.certificates.remove(op.view.vault.key, op.params[0], retention(op));
      return { status: 200, body: deletedCertificateBundle(op.view, c) };
    },
  },
  {
    method: 'GET', pattern: /^\/deletedcertificates\/?$/, need: certNeed('list', 'read'), scoped: false,
    async handle(op) {
      const items = (await op.stores.certificates.list(op.view.vault.key, true)).map((c) => deletedCertificateItem(op.view, c));
      return { status: 200, body: listPage(op.view, op.path, op.query, items) };
    },
  },
  {
    method: 'GET', pattern: new RegExp(`^/deletedcertificates/${N}/?$`), need: certNeed('get', 'read'), scoped: true,
    async handle(op) {
      return { status: 200, body: deletedCertificateBundle(op.view, await op.stores.certificates.getDeleted(op.view.vault.key, op.params[0])) };
    },
  },
  {
    method: 'POST', pattern: new RegExp(`^/deletedcertificates/${N}/recover$`), need: certNeed('recover', 'recover/action'), scoped: true,
    async handle(op) {
      return { status: 200, body: certificateBundle(op.view, await op.stores.certificates.recover(op.view.vault.key, op.params[0])) };
    },
  },
  {
    method: 'DELETE', pattern: new RegExp(`^/deletedcertificates/${N}/?$`), need: certNeed('purge', 'purge/action'), scoped: true,
    async handle(op) {
      purgeCheck(op);
      await op.stores.certificates.purge(op.view.vault.key, op.params[0]);
      return { status: 204 };
    },
  },
];
