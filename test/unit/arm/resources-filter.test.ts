// The generic resources list's $filter (src/arm/providers/resources-filter.ts): ARM's fields, the tag
// filters alone, ARM's one error for everything it does not take.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { resourcesFilter, resourceGroupsFilter, type FilterableResource } from '../../../src/arm/providers/resources-filter.js';
import { AzureError } from '../../../src/common/errors.js';

const S = '/subscriptions/00000000-0000-0000-0000-000000000001';
const r = (group: string, name: string, type: string, location: string, tags?: Record<string, string>): FilterableResource =>
  ({ id: `${S}/resourceGroups/${group}/providers/${type}/${name}`, name, type, location, tags });
const items = [
  r('rg-a', 'orders-api', 'Microsoft.ApiManagement/service', 'westeurope', { team: 'orders', env: 'dev' }),
  r('rg-a', 'orders-kv', 'Microsoft.KeyVault/vaults', 'westeurope', { team: 'billing', env: 'prod' }),
  r('rg-b', 'billing-kv', 'Microsoft.KeyVault/vaults', 'eastus'),
];
const names = (f: string) => items.filter(resourcesFilter(f).keep).map((x) => x.name);

test('fields, functions and logic', () => {
  assert.deepEqual(names("resourceGroup eq 'RG-A'"), ['orders-api', 'orders-kv']);
  assert.deepEqual(names("resourceType eq 'microsoft.keyvault/vaults' and substringof('orders', name)"), ['orders-kv']);
  assert.deepEqual(names("location eq 'eastus' or name eq 'orders-api'"), ['orders-api', 'billing-kv']);
  assert.deepEqual(names("substringof('b', resourceGroup)"), ['billing-kv']);
  assert.deepEqual(names("name ne 'orders-api'"), ['orders-kv', 'billing-kv']);
});

test('tags: a name, a name with its value (one tag, tags hidden), a prefix; nothing else with them', () => {
  assert.deepEqual(names("tagName eq 'ENV'"), ['orders-api', 'orders-kv']);
  const pair = resourcesFilter("tagName eq 'team' and tagValue eq 'orders'");
  assert.equal(pair.hidesTags, true);
  assert.deepEqual(items.filter(pair.keep).map((x) => x.name), ['orders-api']);
  assert.deepEqual(names("tagValue eq 'prod' and tagName eq 'env'"), ['orders-kv'], 'either order');
  assert.deepEqual(names("tagName eq 'env' and tagValue eq 'orders'"), [], 'the value must be that tag\'s');
  assert.deepEqual(names("startswith(tagName, 'te')"), ['orders-api', 'orders-kv']);
  assert.equal(resourcesFilter("tagName eq 'env'").hidesTags, false);
  assert.deepEqual(items.filter(resourceGroupsFilter("tagName eq 'team'").keep).length, 2);
});

test("everything else: ARM's InvalidFilterInQueryString, quoting the filter", () => {
  for (const bad of ["tagName eq 'a' and name eq 'b'", "tagValue eq 'x'", "tagName eq 'a' or tagValue eq 'b'", 'name eq', "plan eq 'x'",
    "startswith(name, 'a')", "resourceType gt 'a'", "substringof('a', resourceType)"]) {
    assert.throws(() => resourcesFilter(bad), (e: unknown) => e instanceof AzureError && e.status === 400 && e.code === 'InvalidFilterInQueryString'
      && e.message === `Invalid $filter '${bad}' specified in the query string.`, bad);
  }
  assert.throws(() => resourceGroupsFilter("name eq 'x'"), (e: unknown) => e instanceof AzureError && e.code === 'InvalidFilterInQueryString');
});
