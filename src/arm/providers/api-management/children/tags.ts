// service/{svc}/tags and the tags of an API (apis/{api}/tags/{tag}, a link named as the tag). Deleting a
// tag takes it off every API.
import { resourceKind } from '../../../resource-store.js';
import { defineApimChild, defineApimLink, unlinkOnDelete, type ApimChildDeps } from '../child.js';
import { requiredStr } from '../validation.js';
import { API } from './apis.js';

export interface TagProperties {
  displayName: string;
}

export const TAG = resourceKind<TagProperties>('Microsoft.ApiManagement/service/tags');
export const API_TAG = resourceKind<Record<string, never>>('Microsoft.ApiManagement/service/apis/tags');

export function tagRegistrations(deps: ApimChildDeps) {
  const tags = defineApimChild(deps, {
    kind: TAG, path: 'tags', entity: 'Tag',
    contracts: { create: 'TagCreateUpdateParameters', update: 'TagCreateUpdateParameters' },
    writable: ['displayName'],
    properties: ({ merged }) => ({ properties: { displayName: requiredStr(merged, 'displayName', { max: 160 }) } }),
  });
  // Tag_AssignToApi answers the tag's contract; HEAD (Tag_GetEntityStateByApi) 200 with its ETag.
  const apiTags = defineApimLink(deps, {
    path: 'apis/tags', kind: API_TAG, parent: { kind: API, entity: 'Api' },
    target: { kind: TAG, collection: 'tags', entity: 'Tag' }, headStatus: 200,
  });
  unlinkOnDelete(deps, TAG, API_TAG);
  return [tags, apiTags];
}
