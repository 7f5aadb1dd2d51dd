// The commands of an API Management instance's child resources, registered from a table the way
// azure-cli's command_group/argument_context do: each group names its path segments (with the id
// flags in them), the contract fields it prints and the flags that set properties, and picks its
// verbs. The flags every verb shares (-g, -n/--service-name, the ids, --if-match, -y/--yes, --no-wait,
// -o, --query) are added and honoured here, once, so they behave the same in every group.
import crypto from 'node:crypto';
import type { Command } from 'commander';
import { action, parseChoice, parseIntArg, parseThreeState, withCommonOptions, type CliContext, type CommandResult } from '../command.js';
import { API_VERSIONS, encodePath, type Query } from '../arm-client.js';

export const V = API_VERSIONS.apiManagement;

/** A contract as the server sends it (ARM's envelope; each group's view types what it prints). */
export type Resource = Record<string, any>;

/** The options of a verb as commander parsed them (camel-case keys). */
export type Options = Record<string, any>;

/** An extra flag of a verb: commander's flags string, help, and a default. */
export interface Flag {
  flags: string;
  help: string;
  default?: string;
  required?: boolean;
}

/**
 * A flag that sets one property of the body: `prop` (default: the option's key), parsed as an az
 * three-state bool, an int, or one of a list of choices (case-insensitive); a string otherwise.
 */
export interface PropertyFlag extends Flag {
  /** null: not a property of its own (the group's `finish` hook reads it). */
  prop?: string | null;
  type?: 'bool' | 'int' | readonly string[];
}

/** The id flags that name an instance's children in paths (`{apiId}` → --api-id). */
const ID_FLAGS: Record<string, Flag> = {
  apiId: { flags: '--api-id <id>', help: 'identifier of the API' },
  operationId: { flags: '--operation-id <id>', help: 'identifier of the operation' },
  productId: { flags: '--product-id <id>', help: 'identifier of the product' },
  namedValueId: { flags: '--named-value-id <id>', help: 'identifier of the named value' },
  subscriptionId: { flags: '--subscription-id <id>', help: 'identifier of the subscription' },
  backendId: { flags: '--backend-id <id>', help: 'identifier of the backend' },
  loggerId: { flags: '--logger-id <id>', help: 'identifier of the logger' },
};

/** What a verb's run gets besides the context and options: the entity's path and the shared flags. */
export interface Target {
  /** `.../service/{svc}/...` of the entity (of the collection for list). */
  path: string;
  /** --if-match, `*` unless given. */
  ifMatch: string;
  /** false with --no-wait. */
  wait: boolean;
}

export interface Verb {
  name: string;
  alias?: string;
  description: string;
  /**
   * Which ids it takes: `item` every id of the path; `new` the same, the entity's own optional (az
   * generates one); `collection` the parents' only.
   */
  target: 'item' | 'new' | 'collection';
  flags?: (Flag | PropertyFlag)[];
  ifMatch?: boolean;
  /** -y/--yes; without it, asks. */
  confirm?: boolean;
  noWait?: boolean;
  /** --output has no default: the verb prints its own format unless one is asked for. */
  ownDefaultOutput?: boolean;
  run(ctx: CliContext, o: Options, t: Target): Promise<CommandResult | void>;
}

export interface ChildGroup {
  /** Words after `apim`: ['api', 'operation']. */
  group: string[];
  description: string;
  /**
   * Segments under the instance; `{key}` is an id flag's value (ID_FLAGS). The last segment is the
   * entity's own id; a function when the path depends on the flags (policy scopes).
   */
  path: string[] | ((o: Options) => string[]);
  /** Flags that take the place of the path's ids (when the path is a function). */
  pathFlags?: Flag[];
  verbs: Verb[];
}

/** `--legal-terms <text>` → legalTerms (commander's attribute name). */
export function keyOf(flags: string): string {
  const long = /--(?:no-)?([a-z0-9-]+)/i.exec(flags)?.[1] ?? flags;
  return long.replace(/-([a-z0-9])/g, (_, c: string) => c.toUpperCase());
}

export const flagName = (flags: string): string => /--[a-z0-9-]+/i.exec(flags)?.[0] ?? flags;

/** The properties the given flags set (only those given: what az leaves None is not sent). */
export function propertiesOf(o: Options, flags: readonly PropertyFlag[]): Resource {
  const p: Resource = {};
  for (const f of flags) {
    const v = o[keyOf(f.flags)];
    if (v === undefined || f.prop === null) continue;
    const name = flagName(f.flags);
    p[f.prop ?? keyOf(f.flags)] = f.type === 'bool' ? parseThreeState(name, v)
      : f.type === 'int' ? parseIntArg(name, v)
        : Array.isArray(f.type) ? parseChoice(name, v, f.type) : v;
  }
  return p;
}

/** A property flag as a verb's own: required (on create) or with a default. */
export const flag = (f: PropertyFlag, change: Partial<PropertyFlag>): PropertyFlag => ({ ...f, ...change });

/** An identifier az generates when none is given (uuid4().hex). */
export const generatedId = (): string => crypto.randomUUID().replace(/-/g, '');

/**
 * A contract as az prints it: id, name, type and the given property fields (camelCase of the Python
 * SDK's attributes) at the top, null where unset. `renamed`: SDK name → wire name, where they differ.
 */
export function contractView(body: Resource, fields: readonly string[], renamed: Record<string, string> = {}): Resource {
  const props = (body.properties ?? {}) as Resource;
  const out: Resource = { id: body.id ?? null, name: body.name ?? null, type: body.type ?? null };
  for (const f of fields) {
    const v = props[renamed[f] ?? f];
    out[f] = v === undefined ? null : v;
  }
  return out;
}

/** A date-time as az prints a Python datetime (isoformat, UTC as +00:00). */
export function pyDateTime(value: unknown): string | null {
  if (typeof value !== 'string' || value === '') return null;
  const d = new Date(value);
  if (Number.isNaN(d.getTime())) return value;
  const ms = d.getUTCMilliseconds();
  const base = d.toISOString().slice(0, 19);
  return `${base}${ms ? `.${String(ms * 1000).padStart(6, '0')}` : ''}+00:00`;
}

/** `.../service/{svc}` followed by the given segments (each encoded). */
export function servicePath(ctx: CliContext, o: Options, segments: string[]): string {
  const base = `${ctx.arm.subscriptionScope}/resourceGroups/${encodePath(o.resourceGroup)}/providers/Microsoft.ApiManagement/service/${encodeURIComponent(o.serviceName)}`;
  return [base, ...segments.map((s) => encodeURIComponent(s))].join('/');
}

const placeholder = (segment: string): string | undefined => /^\{(\w+)\}$/.exec(segment)?.[1];

function subgroup(parent: Command, words: string[], description: string): Command {
  let cmd = parent;
  words.forEach((word, i) => {
    cmd = cmd.commands.find((c) => c.name() === word) ?? cmd.command(word).description(i === words.length - 1 ? description : '');
  });
  return cmd;
}

/** Registers every group of the table under `apim`. */
export function registerChildGroups(apim: Command, groups: readonly ChildGroup[]): void {
  for (const g of groups) {
    const parent = subgroup(apim, g.group, g.description);
    for (const verb of g.verbs) registerVerb(parent, g, verb);
  }
}

function registerVerb(parent: Command, g: ChildGroup, verb: Verb): void {
  const cmd = parent.command(verb.name).description(verb.description);
  if (verb.alias) cmd.alias(verb.alias);
  cmd.requiredOption('-g, --resource-group <name>', 'name of the resource group')
    .requiredOption('-n, --service-name <name>', 'name of the API Management service instance');
  const segments = typeof g.path === 'function' ? [] : g.path;
  const ids = segments.map(placeholder).filter((k): k is string => k !== undefined);
  const own = placeholder(segments[segments.length - 1] ?? '');
  for (const key of ids) {
    if (key === own && verb.target === 'collection') continue;
    const f = ID_FLAGS[key];
    if (key === own && verb.target === 'new') cmd.option(f.flags, `${f.help} (default: a new one)`);
    else cmd.requiredOption(f.flags, f.help);
  }
  for (const f of [...(g.pathFlags ?? []), ...(verb.flags ?? [])]) {
    if (f.required) cmd.requiredOption(f.flags, f.help, f.default);
    else cmd.option(f.flags, f.help, f.default);
  }
  if (verb.ifMatch) cmd.option('--if-match <etag>', "ETag of the entity; '*' (default) matches any version");
  if (verb.confirm) cmd.option('-y, --yes', 'do not prompt for confirmation');
  if (verb.noWait) cmd.option('--no-wait', 'do not wait for the long-running operation to finish');
  withCommonOptions(cmd, { ownDefaultOutput: verb.ownDefaultOutput });
  cmd.action(action<Options>(async (ctx, o) => {
    if (verb.confirm && !(await ctx.confirmed(o.yes))) return undefined;
    if (own && verb.target === 'new') o[own] ??= generatedId();
    let path: string[];
    if (typeof g.path === 'function') path = g.path(o);
    else path = (verb.target === 'collection' ? segments.slice(0, -1) : segments).map((s) => { const k = placeholder(s); return k ? String(o[k]) : s; });
    return verb.run(ctx, o, { path: servicePath(ctx, o, path), ifMatch: o.ifMatch ?? '*', wait: o.wait !== false });
  }));
}

// ---- the standard verbs ----

type View = (body: Resource) => Resource;
type Finish = (props: Resource, o: Options, ctx: CliContext, t: Target) => Resource | void | Promise<Resource | void>;

/** PUT of a new entity from its property flags (`finish` adds or checks what flags alone cannot). */
export function createVerb(view: View, c: {
  description: string; flags: PropertyFlag[]; generatedId?: boolean; noWait?: boolean; name?: string; finish?: Finish;
}): Verb {
  return {
    name: c.name ?? 'create', description: c.description, target: c.generatedId ? 'new' : 'item', flags: c.flags, noWait: c.noWait ?? true,
    async run(ctx, o, t) {
      const props = propertiesOf(o, c.flags);
      const properties = (await c.finish?.(props, o, ctx, t)) ?? props;
      const created = await ctx.arm.write<Resource>('PUT', t.path, V, { properties }, { wait: t.wait });
      return created ? { value: view(created) } : undefined;
    },
  };
}

export function showVerb(view: View, description: string): Verb {
  return { name: 'show', description, target: 'item', run: async (ctx, _o, t) => ({ value: view(await ctx.arm.get<Resource>(t.path, V)) }) };
}

export function listVerb(view: View, description: string, c: { flags?: Flag[]; filter?: (items: Resource[], o: Options) => Resource[] } = {}): Verb {
  return {
    name: 'list', description, target: 'collection', flags: c.flags,
    async run(ctx, o, t) {
      const items = (await ctx.arm.list<Resource>(t.path, V)).map(view);
      return { value: c.filter ? c.filter(items, o) : items };
    },
  };
}

/** PATCH with If-Match of what the flags give; what is not given stays. */
export function updateVerb(view: View, c: { description: string; flags: PropertyFlag[]; finish?: Finish }): Verb {
  return {
    name: 'update', description: c.description, target: 'item', flags: c.flags, ifMatch: true,
    async run(ctx, o, t) {
      const props = propertiesOf(o, c.flags);
      const properties = (await c.finish?.(props, o, ctx, t)) ?? props;
      return { value: view((await ctx.arm.write<Resource>('PATCH', t.path, V, { properties }, { ifMatch: t.ifMatch }))!) };
    },
  };
}

/** DELETE with If-Match; `confirm`: asks unless --yes (as az does where it asks). */
export function deleteVerb(c: { description: string; confirm?: boolean; noWait?: boolean; flags?: Flag[]; query?: (o: Options) => Query }): Verb {
  return {
    name: 'delete', description: c.description, target: 'item', flags: c.flags, ifMatch: true, confirm: c.confirm, noWait: c.noWait,
    async run(ctx, o, t) {
      await ctx.arm.delete(t.path, V, { ifMatch: t.ifMatch, wait: t.wait, query: c.query?.(o) });
    },
  };
}

/** POST of an action on the entity (`/listValue`, `/refreshSecret`, ...); `print` makes the output from the answer. */
export function postVerb(name: string, description: string, segment: string, print: (answer: Resource | undefined, ctx: CliContext, t: Target) => Promise<Resource> | Resource): Verb {
  return {
    name, description, target: 'item',
    run: async (ctx, _o, t) => ({ value: await print(await ctx.arm.post<Resource>(`${t.path}/${segment}`, V), ctx, t) }),
  };
}
