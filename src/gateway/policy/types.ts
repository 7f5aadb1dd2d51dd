// The shapes shared by the policy validator, compiler and the policy families: sections, scopes, the
// compiled value type, the compiled step, and a policy family's definition (schema + compiler).
import type { XNode } from './xml.js';
import type { GatewayContext } from '../runtime/context.js';
import type { InstanceServices } from '../runtime/services.js';

export type Section = 'inbound' | 'backend' | 'outbound' | 'on-error';
export const SECTIONS: readonly Section[] = ['inbound', 'backend', 'outbound', 'on-error'];
export type ScopeKind = 'global' | 'product' | 'api' | 'operation';

/**
 * Every attribute and text value compiles to a function of the request context. Literals (after
 * {{named value}} substitution) are constant functions that also carry `constant`, so a policy can
 * precompute; a policy expression will compile to a non-constant function later.
 */
export interface Value {
  (ctx: GatewayContext): string;
  readonly constant?: string;
}

/**
 * An attribute read with a parser (CompileContext.read): its value for a request. A constant attribute
 * carries it in `constant` (parsed once, at compile), so a policy can precompute from it.
 */
export interface Read<T> {
  (ctx: GatewayContext): T;
  readonly constant?: T;
}

/** What a compiled policy does for one request: nothing to wait for (undefined), or a promise. */
export type Run = (ctx: GatewayContext) => void | Promise<void>;

export interface Step {
  readonly name: string;
  /** The policy's `id` attribute (context.LastError.PolicyId). */
  readonly id: string;
  /** e.g. `choose[1]/when[1]/set-header[2]` (context.LastError.Path). */
  readonly path: string;
  readonly scope: ScopeKind;
  readonly section: Section;
  readonly run: Run;
}

export interface AttrSchema {
  required?: boolean;
  values?: readonly string[];
  type?: 'int' | 'bool' | 'string';
  /**
   * Policy expressions allowed ("Policy expressions are allowed" on Microsoft's reference page); refused
   * otherwise. 'pending': Azure allows them but this policy's compiler still needs a constant, so they are
   * refused with a message that says so (fail closed, never evaluated as text).
   */
  expr?: boolean | 'pending';
}

export interface ElementSchema {
  attrs?: Record<string, AttrSchema>;
  children?: Record<string, ChildSchema>;
  /** Text content allowed (set-body, value, ...). */
  text?: boolean;
  /** The text may be a policy expression ('pending': as for attributes). */
  textExpr?: boolean | 'pending';
  /** Contains policies of the enclosing section (when, otherwise). */
  policies?: boolean;
  /**
   * Any XML content (set-body's XML, xsl-transform's stylesheet, cross-domain's policy file): children
   * are not checked against a schema; their {{named values}} still count, unless `template` says so.
   */
  anyContent?: boolean;
  /** The text and content are a template of their own (Liquid): `{{...}}` in it are not named values. */
  template?: (node: XNode) => boolean;
}

export interface ChildSchema extends ElementSchema {
  min?: number;
  max?: number;
}

/** Compile-time context handed to a policy's compiler. */
export interface CompileContext {
  readonly scope: ScopeKind;
  /** The scope and its name (`global`, `product:starter`, `api:echo`, `operation:echo/get`): stable across reloads. */
  readonly scopeKey: string;
  readonly section: Section;
  readonly path: string;
  readonly services: InstanceServices;
  /** An attribute or text value: {{named values}} substituted, compiled to a Value. */
  value(raw: string): Value;
  /** {{named values}} substituted, nothing else (text that is not a policy expression even when it looks like one). */
  substitute(raw: string): string;
  /** The attribute as a Value, or undefined when absent. */
  attr(node: XNode, name: string): Value | undefined;
  /** A condition: the literal true/false or a bool expression. */
  condition(node: XNode, name: string): (ctx: GatewayContext) => boolean;
  /**
   * An attribute read with `parse` (its text, or the expression's value as text): a constant attribute is
   * parsed once here, an expression on every request; undefined when the attribute is absent. `parse`
   * throws PolicyError for a value it refuses (at run time that is the policy's error, as in APIM; a
   * constant it refuses, from a {{named value}}, fails the calls through the policy, not the document).
   * `parse` never returns undefined.
   */
  read<T>(node: XNode, name: string, parse: (text: string) => T): Read<T> | undefined;
  /** The attribute's value as an object (set-variable): the literal text, or what the expression gives. */
  object(node: XNode, name: string): ((ctx: GatewayContext) => unknown) | undefined;
  /** Compiles the policies inside an element (when/otherwise), in this section. */
  steps(parent: XNode, pathPrefix: string): Step[];
  /** A policy fragment of the instance by name (any case), parsed: the `<fragment>` element; undefined when none. */
  fragment(id: string): XNode | undefined;
}

export interface PolicyDefinition {
  name: string;
  sections: readonly Section[];
  /** Scopes where the policy is allowed; all when absent. */
  scopes?: readonly ScopeKind[];
  schema: ElementSchema;
  /** "This policy can only be used once in a policy section" (jsonp, redirect-content-urls). */
  oncePerSection?: boolean;
  /** Extra checks beyond the schema: an error message (about `node`, or the element given), or undefined. */
  check?: (node: XNode) => string | { node: XNode; message: string } | undefined;
  compile(node: XNode, c: CompileContext): Run;
}

/** An error raised by a policy: the pipeline goes to on-error with it as context.LastError. */
export class PolicyError extends Error {
  constructor(
    readonly reason: string,
    message: string,
    /** The answer when on-error does not set one (e.g. validate-jwt's 401). */
    readonly response?: { status: number; headers?: Record<string, string>; body?: string },
  ) { super(message); }
  source = '';
  scope = '';
  section = '';
  path = '';
  policyId = '';
  located = false;
}

export const constant = (s: string): Value => Object.assign(() => s, { constant: s });

/** A Read that gives the same value to every request (a constant attribute, or an absent one's default). */
export const fixed = <T>(v: T): Read<T> => Object.assign(() => v, { constant: v });

/** APIM's JSON error body: {"statusCode":N,"message":"..."}. */
export const apimBody = (statusCode: number, message: string): string => JSON.stringify({ statusCode, message });
