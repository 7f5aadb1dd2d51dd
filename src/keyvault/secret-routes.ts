// The secrets API: /secrets, /secrets/{name}[/{version}|/versions|/backup], /secrets/restore, /deletedsecrets.
import { KvErrors } from './errors.js';
import { checkName } from './objects.js';
import { deletedSecretBundle, deletedSecretItem, listPage, secretBundle, secretItem } from './bundles.js';
import { attributes, object, optString, secretNeed, tags, type Operation, type Route } from './operation.js';

const N = '([^/]+)';
const retention = (op: Operation) => (op.view.vault.settings.enableSoftDelete ? op.view.vault.settings.softDeleteRetentionInDays : undefined);

export function purgeCheck(op: Operation): void {
  if (op.view.vault.settings.enablePurgeProtection) throw KvErrors.purgeProtected(op.caller.label, op.view.vault.label);
}

export const secretRoutes: Route[] = [
  {
    method: 'GET', pattern: /^\/secrets\/?$/, need: secretNeed('list', 'readMetadata/action'), scoped: false,
    async handle(op) {
      const items = (await op.stores.secrets.list(op.view.vault.key)).map((s) => secretItem(op.view, s, false));
      return { status: 200, body: listPage(op.view, op.path, op.query, items) };
    },
  },
  {
    method: 'POST', pattern: /^\/secrets\/restore$/, need: secretNeed('restore', 'restore/action'), scoped: false,
    async handle(op) {
      const body = object(await op.body());
      if (typeof body.value !== 'string' || body.value === '') throw KvErrors.missingProperty('value');
      return { status: 200, body: secretBundle(op.view, await op.stores.secrets.restore(op.view.vault.key, body.value)) };
    },
  },
  {
    method: 'GET', pattern: new RegExp(`^/secrets/${N}/versions$`), need: secretNeed('list', 'readMetadata/action'), scoped: true,
    async handle(op) {
      checkName(op.params[0]);
      const items = (await op.stores.secrets.versions(op.view.vault.key, op.params[0])).map((s) => secretItem(op.view, s, true));
      return { status: 200, body: listPage(op.view, op.path, op.query, items) };
    },
  },
  {
    method: 'POST', pattern: new RegExp(`^/secrets/${N}/backup$`), need: secretNeed('backup', 'backup/action'), scoped: true,
    async handle(op) {
      checkName(op.params[0]);
      return { status: 200, body: { value: await op.stores.secrets.backup(op.view.vault.key, op.params[0]) } };
    },
  },
  {
    method: 'PUT', pattern: new RegExp(`^/secrets/${N}/?$`), need: secretNeed('set', 'setSecret/action'), scoped: true,
    async handle(op) {
      checkName(op.params[0]);
      const body = object(await op.body());
      if (typeof body.value !== 'string') throw KvErrors.missingProperty('value');
      const s = await op.stores.secrets.set(op.view.vault.key, op.params[0], {
        value: body.value, contentType: optString(body.contentType, 'contentType'), tags: tags(body.tags), attributes: attributes(body.attributes),
      });
      return { status: 200, body: secretBundle(op.view, s) };
    },
  },
  {
    method: 'GET', pattern: new RegExp(`^/secrets/${N}(?:/([^/]*))?$`), need: secretNeed('get', 'getSecret/action'), scoped: true,
    async handle(op) {
      checkName(op.params[0]);
      const s = await op.stores.secrets.get(op.view.vault.key, op.params[0], op.params[1]);
      if (!s.version.enabled) throw KvErrors.disabled('secret', op.params[0]);
      return { status: 200, body: secretBundle(op.view, s) };
    },
  },
  {
    method: 'PATCH', pattern: new RegExp(`^/secrets/${N}(?:/([^/]*))?$`), need: secretNeed('set', 'update/action'), scoped: true,
    async handle(op) {
      checkName(op.params[0]);
      const body = object(await op.body());
      const s = await op.stores.secrets.update(op.view.vault.key, op.params[0], op.params[1] ?? '', {
        contentType: optString(body.contentType, 'contentType'), tags: tags(body.tags), attributes: attributes(body.attributes),
      });
      return { status: 200, body: secretBundle(op.view, s) };
    },
  },
  {
    method: 'DELETE', pattern: new RegExp(`^/secrets/${N}/?$`), need: secretNeed('delete', 'delete'), scoped: true,
    async handle(op) {
      checkName(op.params[0]);
      const s = await op.stores.secrets.remove(op.view.vault.key, op.params[0], retention(op));
      return { status: 200, body: deletedSecretBundle(op.view, s) };
    },
  },
  {
    method: 'GET', pattern: /^\/deletedsecrets\/?$/, need: secretNeed('list', 'readMetadata/action'), scoped: false,
    async handle(op) {
      const items = (await op.stores.secrets.listDeleted(op.view.vault.key)).map((s) => deletedSecretItem(op.view, s));
      return { status: 200, body: listPage(op.view, op.path, op.query, items) };
    },
  },
  {
    method: 'GET', pattern: new RegExp(`^/deletedsecrets/${N}/?$`), need: secretNeed('get', 'readMetadata/action'), scoped: true,
    async handle(op) {
      return { status: 200, body: deletedSecretBundle(op.view, await op.stores.secrets.getDeleted(op.view.vault.key, op.params[0])) };
    },
  },
  {
    method: 'POST', pattern: new RegExp(`^/deletedsecrets/${N}/recover$`), need: secretNeed('recover', 'recover/action'), scoped: true,
    async handle(op) {
      return { status: 200, body: secretBundle(op.view, await op.stores.secrets.recover(op.view.vault.key, op.params[0])) };
    },
  },
  {
    method: 'DELETE', pattern: new RegExp(`^/deletedsecrets/${N}/?$`), need: secretNeed('purge', 'purge/action'), scoped: true,
    async handle(op) {
      purgeCheck(op);
      await op.stores.secrets.purge(op.view.vault.key, op.params[0]);
      return { status: 204 };
    },
  },
];
