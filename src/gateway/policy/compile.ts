// Compiling policy documents, once per configuration: each policy element becomes a Step (a closure
// over its precomputed values), each document's sections lists of Steps with a BASE marker where
// `<base/>` stands, and the four scopes merge (global → product → API → operation) by replacing each
// scope's BASE with its parent's merged section.
import type { XNode } from './xml.js';
import { POLICIES } from './registry.js';
import { PolicyError, SECTIONS, fixed, type CompileContext, type Run, type ScopeKind, type Section, type Step } from './types.js';
import { ExpressionValues } from './expression-values.js';
import { BackendStream } from '../runtime/backend.js';
import type { NamedValueTable } from './values.js';
import type { InstanceServices } from '../runtime/services.js';
import { bufferRequestBody, forwardRequestStep } from '../policies/routing.js';

export const BASE = Symbol('base');
type Entry = Step | typeof BASE;
/** A compiled document: per section, its entries; a section the document lacks inherits (`[BASE]`). */
export type CompiledDocument = Record<Section, readonly Entry[]>;

export interface Pipeline {
  inbound: readonly Step[];
  backend: readonly Step[];
  outbound: readonly Step[];
  onError: readonly Step[];
}

/** The instance's policy fragments, parsed, by lower-cased name (include-fragment). */
export type FragmentTable = ReadonlyMap<string, XNode>;
const NO_FRAGMENTS: FragmentTable = new Map();

export function compileDocument(doc: XNode, scope: ScopeKind, scopeKey: string, services: InstanceServices, nv: NamedValueTable, missing: string[],
  fragments: FragmentTable = NO_FRAGMENTS): CompiledDocument {
  const out = { inbound: [BASE], backend: [BASE], outbound: [BASE], 'on-error': [BASE] } as Record<Section, Entry[]>;
  for (const sectionNode of doc.children) {
    if (!(SECTIONS as readonly string[]).includes(sectionNode.name)) continue;
    const section = sectionNode.name as Section;
    out[section] = compileList(sectionNode, '', section, scope, scopeKey, services, nv, missing, true, fragments);
  }
  return out;
}

function compileList(parent: XNode, prefix: string, section: Section, scope: ScopeKind, scopeKey: string, services: InstanceServices,
  nv: NamedValueTable, missing: string[], top: boolean, fragments: FragmentTable): Entry[] {
  const entries: Entry[] = [];
  const counts = new Map<string, number>();
  for (const node of parent.children) {
    if (node.name === 'base') { if (top) entries.push(BASE); continue; }
    const def = POLICIES.get(node.name);
    if (!def) throw new Error(`unknown policy '${node.name}' (validation should have refused it)`);
    const n = (counts.get(node.name) ?? 0) + 1;
    counts.set(node.name, n);
    const path = `${prefix}${node.name}[${n}]`;
    const x = new ExpressionValues(nv, missing);
    const c: CompileContext = {
      scope, scopeKey, section, path, services,
      value: (raw) => x.value(raw),
      substitute: (raw) => nv.substitute(raw, missing),
      attr: (el, name) => (el.attrs[name] === undefined ? undefined : x.value(el.attrs[name])),
      condition: (el, name) => x.condition(el.attrs[name] ?? 'false'),
      read: (el, name, parse) => {
        if (el.attrs[name] === undefined) return undefined;
        const v = x.value(el.attrs[name]);
        if (v.constant === undefined) return (ctx) => parse(v(ctx));
        try {
          return fixed(parse(v.constant));
        } catch (e) {
          if (!(e instanceof PolicyError)) throw e;
          // A fresh error per call: the pipeline locates and keeps it as that call's LastError.
          return () => { throw new PolicyError(e.reason, e.message, e.response); };
        }
      },
      object: (el, name) => (el.attrs[name] === undefined ? undefined : x.object(el.attrs[name])),
      steps: (el, pathPrefix) => compileList(el, `${path}/${pathPrefix}`, section, scope, scopeKey, services, nv, missing, false, fragments) as Step[],
      fragment: (id) => fragments.get(id.toLowerCase()),
    };
    const run = def.compile(node, c);
    entries.push({ name: node.name, id: node.attrs.id ?? '', path, scope, section, run: x.readsBody ? withBodies(run, section) : run });
  }
  return entries;
}

/**
 * A policy whose expressions read a message body: the body is read into memory before the policy runs
 * (expressions are synchronous), the request's in inbound/backend, the response's in outbound/on-error.
 */
function withBodies(run: Run, section: Section): Run {
  if (section === 'inbound' || section === 'backend') return async (ctx) => { await bufferRequestBody(ctx); return run(ctx); };
  return async (ctx) => {
    const r = ctx.response;
    if (r?.body instanceof BackendStream) r.body = await r.body.readAll();
    return run(ctx);
  };
}

/** The root below global: what API Management's default global policy does (forward the request). */
function rootDocument(services: InstanceServices): CompiledDocument {
  return { inbound: [], backend: [forwardRequestStep(services)], outbound: [], 'on-error': [] };
}

/** Merges documents from the outermost (global) to the innermost (operation); absent scopes inherit. */
export function mergeScopes(docs: (CompiledDocument | undefined)[], services: InstanceServices): Pipeline {
  let merged: Record<Section, readonly Step[]> = rootDocument(services) as Record<Section, Step[]>;
  docs.forEach((doc, level) => {
    if (!doc) return;
    const next = {} as Record<Section, Step[]>;
    for (const s of SECTIONS) {
      const parent = merged[s];
      const entries = doc[s];
      // At global scope <base/> has no effect, except that a global document without a backend
      // section (or with only <base/>) still forwards, as API Management's default global policy does.
      const own = entries.filter((e): e is Step => e !== BASE);
      const inherits = level === 0 ? (s === 'backend' && own.length === 0) : true;
      next[s] = entries.flatMap((e) => (e === BASE ? (inherits ? [...parent] : []) : [e]));
    }
    merged = next;
  });
  return { inbound: merged.inbound, backend: merged.backend, outbound: merged.outbound, onError: merged['on-error'] };
}
