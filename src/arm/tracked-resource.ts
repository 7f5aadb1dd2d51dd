// Handlers every tracked top-level resource type shares (a resource in a group, listed by group and by
// subscription): DELETE (200, or 204 when it was not there; children and hooks go with it) and list.
import type { ArmHandler } from './registry.js';
import type { ArmContext } from './context.js';
import { page } from './envelope.js';

export function trackedResourceHandlers(arm: ArmContext, type: string): { delete: ArmHandler; list: ArmHandler } {
  return {
    async delete(req) {
      const existing = await arm.resources.get(req.target.id);
      if (!existing) return { status: 204 };
      await arm.resources.deleteTree(existing.id);
      return { status: 200 };
    },
    async list(req) {
      const items = await arm.resources.list(req.target.resourceGroup
        ? { group: req.target.scope, type } : { subscriptionId: req.target.subscriptionId!, type });
      return page(req, items.map((i) => i.body), arm.baseUrl);
    },
  };
}
