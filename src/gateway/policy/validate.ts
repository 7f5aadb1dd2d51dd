// Validation of a policy document when it is PUT: well-formed XML, `<policies>` with known sections,
// known policies each in a section and scope where API Management allows it, known and required
// attributes, `<base/>` only directly in a section. Every problem becomes one detail of APIM's 400
// ValidationError, naming the element and its line and column.
import { AzureError } from '../../common/errors.js';
import { parseXml, XmlSyntaxError, type XNode } from './xml.js';
import { POLICIES } from './registry.js';
import { isExpression, namedValueRefs } from './values.js';
import { ExpressionError, compileExpression, type Expect } from '../expressions/index.js';
import { SECTIONS, type ElementSchema, type ScopeKind, type Section } from './types.js';

interface Issue { element: string; line: number; column: number; message: string }

export function policyValidationError(issues: Issue[]): AzureError {
  return new AzureError({
    status: 400, code: 'ValidationError', message: 'One or more fields contain incorrect values:',
    details: issues.map((i) => ({
      code: 'ValidationError', target: i.element,
      message: `Error in element '${i.element}' on line ${i.line}, column ${i.column}: ${i.message}`,
    })),
  });
}

/** The instance's policy fragments: a fragment's document by name (any case), or undefined when there is none. */
export type FragmentLookup = (id: string) => string | undefined;

/**
 * Parses and validates; returns the tree and the {{named values}} it references. With `fragments`, each
 * include-fragment must name an existing fragment whose policies are valid in the section it stands in
 * (as Azure checks at PUT); without, only the include-fragment element itself is checked.
 */
export function validatePolicyDocument(xml: string, scope: ScopeKind, fragments?: FragmentLookup): { doc: XNode; namedValues: string[] } {
  return validateWith(xml, new Validator(scope, fragments), (v, doc) => v.document(doc));
}

/**
 * A policy fragment (`<fragment>` with policies, as `include-fragment` inserts them): each policy must be
 * one API Management knows, valid in at least one section; where it may go is checked where it is included.
 */
export function validatePolicyFragment(xml: string): { namedValues: string[] } {
  return validateWith(xml, new Validator('global', undefined, true), (v, doc) => v.fragment(doc));
}

/** The fragments a policy document includes (include-fragment's fragment-id, as written). */
export function includedFragments(doc: XNode): string[] {
  const out: string[] = [];
  const walk = (n: XNode) => { for (const c of n.children) { if (c.name === 'include-fragment' && c.attrs['fragment-id'] !== undefined) out.push(c.attrs['fragment-id']); walk(c); } };
  walk(doc);
  return out;
}

/** Parse, then one validation pass: every problem is a 400 naming the element and its position. */
function validateWith(xml: string, v: Validator, pass: (v: Validator, doc: XNode) => void): { doc: XNode; namedValues: string[] } {
  let doc: XNode;
  try {
    doc = parseXml(xml);
  } catch (e) {
    if (e instanceof XmlSyntaxError) throw policyValidationError([{ element: e.element, line: e.line, column: e.column, message: e.message }]);
    throw e;
  }
  try {
    pass(v, doc);
  } catch (e) {
    // Fail closed: a document the validator cannot get through (a policy's own check throwing on an
    // input nobody foresaw) is refused, never accepted half-checked.
    throw policyValidationError([{ element: doc.name, line: doc.line, column: doc.column, message: `The policy document could not be validated: ${e instanceof Error ? e.message : String(e)}` }]);
  }
  if (v.issues.length > 0) throw policyValidationError(v.issues);
  return { doc, namedValues: [...new Set(v.refs)] };
}

const NESTED_FRAGMENT = `A policy fragment can't include another policy fragment.`;
const quoteList = (names: string[]) => names.map((n) => `'${n}'`).join(', ');

class Validator {
  readonly issues: Issue[] = [];
  readonly refs: string[] = [];
  constructor(private readonly scope: ScopeKind, private readonly fragments?: FragmentLookup, private readonly inFragment = false) {}

  private issue(node: XNode, message: string): void {
    this.issues.push({ element: node.name, line: node.line, column: node.column, message });
  }

  document(doc: XNode): void {
    if (doc.name !== 'policies') { this.issue(doc, `The root element must be 'policies'.`); return; }
    this.element(doc, {}, false, undefined, true);
    const seen = new Set<string>();
    for (const child of doc.children) {
      if (!(SECTIONS as readonly string[]).includes(child.name)) {
        this.issue(child, `The element 'policies' has invalid child element '${child.name}'. List of possible elements expected: ${quoteList([...SECTIONS])}.`);
        continue;
      }
      if (seen.has(child.name)) { this.issue(child, `Section '${child.name}' appears more than once.`); continue; }
      seen.add(child.name);
      this.element(child, {}, false, undefined, true);
      this.policies(child, child.name as Section, true);
    }
  }

  fragment(doc: XNode): void {
    if (doc.name !== 'fragment') { this.issue(doc, `The root element must be 'fragment'.`); return; }
    this.element(doc, {}, false, undefined, true);
    for (const node of doc.children) {
      const def = POLICIES.get(node.name);
      if (!def) { this.issue(node, `Unknown policy '${node.name}': it is not an API Management policy, or apim-local does not support it.`); continue; }
      if (node.name === 'include-fragment') { this.issue(node, NESTED_FRAGMENT); continue; }
      this.element(node, def.schema, true, def.sections[0]);
      const problem = def.check?.(node);
      if (typeof problem === 'string') this.issue(node, problem);
      else if (problem) this.issue(problem.node, problem.message);
    }
  }

  /** The policies inside a section (top: directly in it) or inside when/otherwise. */
  private policies(parent: XNode, section: Section, top: boolean): void {
    let bases = 0;
    const once = new Set<string>();
    for (const node of parent.children) {
      if (node.name === 'base') {
        if (!top) this.issue(node, `The 'base' element can only appear directly inside a policy section.`);
        else if (++bases > 1) this.issue(node, `The 'base' element can appear only once in a section.`);
        this.element(node, {}, false);
        continue;
      }
      const def = POLICIES.get(node.name);
      if (!def) { this.issue(node, `Unknown policy '${node.name}': it is not an API Management policy, or apim-local does not support it.`); continue; }
      if (!def.sections.includes(section)) {
        this.issue(node, `Policy is not allowed in the '${section}' section. Allowed sections: ${def.sections.join(', ')}.`);
        continue;
      }
      if (def.scopes && !def.scopes.includes(this.scope)) { this.issue(node, 'Policy section is not allowed in the specified scope'); continue; }
      if (node.name === 'include-fragment' && this.inFragment) { this.issue(node, NESTED_FRAGMENT); continue; }
      if (def.oncePerSection) {
        if (once.has(def.name)) { this.issue(node, `The '${def.name}' policy can only be used once in a policy section.`); continue; }
        once.add(def.name);
      }
      this.element(node, def.schema, true, section);
      const problem = def.check?.(node);
      if (typeof problem === 'string') this.issue(node, problem);
      else if (problem) this.issue(problem.node, problem.message);
      else if (node.name === 'include-fragment' && this.fragments) this.included(node, section);
    }
  }

  /** An include-fragment where fragments are known: the fragment exists and its policies fit this section. */
  private included(node: XNode, section: Section): void {
    const id = node.attrs['fragment-id'] ?? '';
    const xml = this.fragments!(id);
    if (xml === undefined) { this.issue(node, `Policy fragment '${id}' was not found.`); return; }
    let doc: XNode;
    try { doc = parseXml(xml); } catch { this.issue(node, `Policy fragment '${id}' is not well-formed XML.`); return; }
    const inner = new Validator(this.scope, undefined, true);
    if (doc.name !== 'fragment') inner.issue(doc, `The root element must be 'fragment'.`);
    else inner.policies(doc, section, false);
    for (const i of inner.issues) this.issue(node, `Policy fragment '${id}', element '${i.element}' on line ${i.line}, column ${i.column}: ${i.message}`);
  }

  /**
   * Compiles an expression to check it (syntax, names, members, types); an error names the position inside
   * the document. One that uses {{named values}} is checked when the gateway compiles it, with their values.
   */
  private expression(node: XNode, key: string, raw: string, expect: Expect): void {
    if (raw.includes('{{')) return;
    try {
      compileExpression(raw.trim(), expect);
    } catch (e) {
      if (!(e instanceof ExpressionError)) throw e;
      const at = node.expressions?.[key] ?? { line: node.line, column: node.column };
      const line = at.line + e.line - 1;
      const column = e.line === 1 ? at.column + e.column - 1 : e.column;
      this.issues.push({ element: node.name, line, column, message: e.message });
    }
  }

  /** The {{named values}} in an element's XML content: its text and its descendants' attributes and text. */
  private contentRefs(node: XNode): void {
    this.refs.push(...namedValueRefs(node.text));
    for (const ch of node.children) {
      for (const v of Object.values(ch.attrs)) this.refs.push(...namedValueRefs(v));
      this.contentRefs(ch);
    }
  }

  private element(node: XNode, schema: ElementSchema, isPolicy: boolean, section?: Section, container = false): void {
    const attrs = schema.attrs ?? {};
    // XML content without an attribute schema (a stylesheet, a policy file): any attribute is its own.
    const anyAttrs = schema.anyContent === true && schema.attrs === undefined;
    for (const [name, value] of Object.entries(node.attrs)) {
      if (anyAttrs) { this.refs.push(...namedValueRefs(value)); continue; }
      const a = attrs[name];
      if (!a && !(isPolicy && name === 'id')) { this.issue(node, `The '${name}' attribute is not declared.`); continue; }
      this.refs.push(...namedValueRefs(value));
      if (isExpression(value)) {
        if (!a?.expr) this.issue(node, `Policy expressions are not allowed in the '${name}' attribute.`);
        else if (a.expr === 'pending') this.issue(node, `Policy expressions in the '${name}' attribute are allowed by Azure but not supported by apim-local yet: use a literal or a {{named value}}.`);
        else this.expression(node, name, value, a.type === 'bool' ? 'bool' : 'object');
        continue;
      }
      if (!a || value.includes('{{')) continue;
      if (a.values && !a.values.includes(value.toLowerCase())) {
        this.issue(node, `The '${name}' attribute has an invalid value '${value}'. Allowed values: ${a.values.join(', ')}.`);
      } else if (a.type === 'int' && !/^-?\d+$/.test(value.trim())) {
        this.issue(node, `The '${name}' attribute has an invalid value '${value}': an integer is expected.`);
      } else if (a.type === 'bool' && !/^(true|false)$/i.test(value.trim())) {
        this.issue(node, `The '${name}' attribute has an invalid value '${value}': 'true' or 'false' is expected.`);
      }
    }
    for (const [name, a] of Object.entries(attrs)) {
      if (a.required && node.attrs[name] === undefined) this.issue(node, `The required attribute '${name}' is missing.`);
    }
    const text = node.text.trim();
    const children = schema.children ?? {};
    if (schema.anyContent) {
      // XML content or a template: its elements are the document's own, not policies or their children.
      if (schema.template?.(node)) return;
      if (node.children.length > 0) { this.contentRefs(node); return; }
    }
    if (container) {
      if (text !== '') this.issue(node, `The element '${node.name}' cannot contain text.`);
      return;
    }
    if (text !== '') {
      if (!schema.text) {
        const expected = Object.keys(children);
        this.issue(node, `The element '${node.name}' cannot contain text.${expected.length ? ` List of possible elements expected: ${quoteList(expected)}.` : ''}`);
      } else {
        this.refs.push(...namedValueRefs(text));
        if (isExpression(text)) {
          if (!schema.textExpr) this.issue(node, `Policy expressions are not allowed in the text of '${node.name}'.`);
          else if (schema.textExpr === 'pending') this.issue(node, `Policy expressions in the text of '${node.name}' are allowed by Azure but not supported by apim-local yet: use a literal or a {{named value}}.`);
          else this.expression(node, '#text', text, 'object');
        }
      }
    }
    if (schema.policies && section) { this.policies(node, section, false); return; }
    const counts = new Map<string, number>();
    for (const child of node.children) {
      const c = children[child.name];
      if (!c) {
        const expected = Object.keys(children);
        this.issue(child, `The element '${node.name}' has invalid child element '${child.name}'.${expected.length ? ` List of possible elements expected: ${quoteList(expected)}.` : ''}`);
        continue;
      }
      counts.set(child.name, (counts.get(child.name) ?? 0) + 1);
      this.element(child, c, false, c.policies ? section : undefined);
    }
    for (const [name, c] of Object.entries(children)) {
      const n = counts.get(name) ?? 0;
      if (c.min !== undefined && n < c.min) this.issue(node, `The element '${node.name}' must contain ${c.min === 1 ? 'a' : `at least ${c.min}`} '${name}' element${c.min === 1 ? '' : 's'}.`);
      if (c.max !== undefined && n > c.max) this.issue(node, `The element '${node.name}' can contain at most ${c.max} '${name}' element${c.max === 1 ? '' : 's'}.`);
    }
  }
}

