// The order of a deployment: resources are nodes, dependsOn and the implicit dependencies of
// reference() are edges. A cycle is refused before anything is written; the rest runs with each
// resource starting as soon as everything it depends on succeeded (independent ones in parallel).
import { DeploymentErrors } from './errors.js';

export interface GraphNode {
  /** Lower-cased resource id. */
  key: string;
  /** The resource id as written. */
  id: string;
  /** Keys of the nodes it waits for. */
  deps: Set<string>;
}

/**
 * The node a dependency names: a resource of the template by id, or the resource an extension id lies
 * under (`.../service/x/providers/Microsoft.ManagedIdentity/Identities/default` → the instance), or
 * undefined when no resource of the template is meant.
 */
export function nodeFor(keys: ReadonlySet<string>, id: string): string | undefined {
  let k = id.toLowerCase();
  for (;;) {
    if (keys.has(k)) return k;
    const cut = k.lastIndexOf('/providers/');
    if (cut <= 0) return undefined;
    k = k.slice(0, cut);
  }
}

/** Throws InvalidTemplate naming a cycle, if there is one. */
export function checkAcyclic(nodes: GraphNode[]): void {
  const byKey = new Map(nodes.map((n) => [n.key, n]));
  const state = new Map<string, 'visiting' | 'done'>();
  const stack: string[] = [];
  const visit = (n: GraphNode): void => {
    state.set(n.key, 'visiting');
    stack.push(n.id);
    for (const d of n.deps) {
      const dep = byKey.get(d);
      if (!dep) continue;
      const s = state.get(d);
      if (s === 'visiting') {
        const from = stack.findIndex((id) => id.toLowerCase() === d);
        throw DeploymentErrors.circularDependency([...stack.slice(from), dep.id]);
      }
      if (s === undefined) visit(dep);
    }
    stack.pop();
    state.set(n.key, 'done');
  };
  for (const n of nodes) if (!state.has(n.key)) visit(n);
}

/**
 * Runs `exec` for every node once all its dependencies succeeded; a node whose dependency failed is
 * not run (it counts as failed for its own dependents). Resolves when every node is settled.
 */
export async function runGraph(nodes: GraphNode[], exec: (node: GraphNode) => Promise<boolean>): Promise<void> {
  const byKey = new Map(nodes.map((n) => [n.key, n]));
  const started = new Map<string, Promise<boolean>>();
  const run = (n: GraphNode): Promise<boolean> => {
    let p = started.get(n.key);
    if (!p) {
      p = (async () => {
        const results = await Promise.all([...n.deps].map((d) => byKey.get(d)).filter((d): d is GraphNode => !!d).map(run));
        return results.every(Boolean) ? exec(n) : false;
      })();
      started.set(n.key, p);
    }
    return p;
  };
  await Promise.all(nodes.map(run));
}
