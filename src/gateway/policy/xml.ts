// Policy documents as a tree: saxes (a conforming, non-validating XML parser) with the line and column
// of every element's `<`, as API Management's validation messages name them. Comments are dropped;
// text and CDATA are kept per element.
//
// Two caps keep every later pass (validator, compiler: both walk the tree recursively) far from the
// JS stack's limits, so a hostile document fails validation instead of crashing it: API Management's
// documented maximum policy document size (256 KiB), and a nesting depth of MAX_POLICY_DEPTH elements,
// ample for real policies (choose/when/... rarely goes ten deep). Both are 400 ValidationErrors
// naming the element, line and column, like any other syntax error.
import { SaxesParser } from 'saxes';
import { ExpressionScanError, MARK, scanExpressions, type ScannedExpression } from './expression-scan.js';

/** API Management's limit on a policy document's size. */
export const MAX_POLICY_BYTES = 256 * 1024;
/** Elements nested inside one another, `<policies>` counting as 1. */
export const MAX_POLICY_DEPTH = 64;

export interface XNode {
  name: string;
  attrs: Record<string, string>;
  children: XNode[];
  /** Concatenated text and CDATA directly inside the element (not its children's). */
  text: string;
  line: number;
  column: number;
  /** Text and child elements in document order (set-body's XML content, xsl-transform's stylesheet). */
  content?: (XNode | string)[];
  /** Where each policy expression among the attributes (by name) and the text (`#text`) starts. */
  expressions?: Record<string, { line: number; column: number }>;
}

export class XmlSyntaxError extends Error {
  constructor(message: string, readonly element: string, readonly line: number, readonly column: number) { super(message); }
}

export function parseXml(xml: string): XNode {
  const bytes = Buffer.byteLength(xml);
  if (bytes > MAX_POLICY_BYTES) {
    throw new XmlSyntaxError(`The policy document is ${bytes} bytes long: the maximum is ${MAX_POLICY_BYTES} bytes (256 KiB).`, 'policies', 1, 1);
  }
  let scanned: ScannedExpression[];
  try {
    ({ xml, expressions: scanned } = scanExpressions(xml));
  } catch (e) {
    if (e instanceof ExpressionScanError) throw new XmlSyntaxError(e.message, 'policies', e.line, e.column);
    throw e;
  }
  // The parser sees each expression as a placeholder (expression-scan.ts); the placeholders come back in
  // document order, and each is replaced by its expression.
  let next = 0;
  const unmask = (value: string, node: XNode, key: string): string => {
    const at = value.indexOf(MARK);
    if (at < 0) return value;
    const e = scanned[next++];
    (node.expressions ??= {})[key] = { line: e.line, column: e.column };
    // The placeholder's line breaks may have become spaces (attribute value normalization): skip
    // whitespace too, which only trims what follows the expression.
    let end = at + 1;
    while (end < value.length && /[\uE001\s]/.test(value[end])) end++;
    return value.slice(0, at) + e.text + value.slice(end);
  };
  const parser = new SaxesParser({ position: true });
  const stack: XNode[] = [];
  let root: XNode | undefined;
  let startLine = 1;
  let startColumn = 1;
  let failure: XmlSyntaxError | undefined;
  parser.on('opentagstart', (tag) => {
    // The parser has read `<name` and the character after it: `<` is name.length + 1 columns back
    // (0-based column of the next character → 1-based column of `<`).
    startLine = parser.line;
    startColumn = parser.column - tag.name.length - 1;
  });
  parser.on('opentag', (tag) => {
    const attrs: Record<string, string> = {};
    for (const [k, v] of Object.entries(tag.attributes)) attrs[k] = typeof v === 'string' ? v : v.value;
    const node: XNode = { name: tag.name, attrs, children: [], text: '', line: startLine, column: startColumn };
    for (const k of Object.keys(attrs)) attrs[k] = unmask(attrs[k], node, k);
    if (stack.length >= MAX_POLICY_DEPTH) {
      // Stop reading: the rest of the document is not looked at (the error is thrown out of write()).
      failure ??= new XmlSyntaxError(`Elements are nested more than ${MAX_POLICY_DEPTH} levels deep: the maximum nesting depth of a policy document is ${MAX_POLICY_DEPTH}.`, tag.name, startLine, startColumn);
      throw failure;
    }
    const parent = stack[stack.length - 1];
    if (parent) { parent.children.push(node); (parent.content ??= []).push(node); } else if (!root) root = node;
    if (!tag.isSelfClosing) stack.push(node);
  });
  parser.on('closetag', (tag) => {
    if (!tag.isSelfClosing) stack.pop();
  });
  const addText = (t: string) => {
    const top = stack[stack.length - 1];
    if (!top) return;
    const text = unmask(t, top, '#text');
    top.text += text;
    (top.content ??= []).push(text);
  };
  parser.on('text', addText);
  parser.on('cdata', addText);
  parser.on('error', (e) => {
    if (failure) return;
    // saxes prefixes its messages with "line:column: ".
    const message = e.message.replace(/^\d+:\d+: /, '');
    failure = new XmlSyntaxError(message, stack[stack.length - 1]?.name ?? root?.name ?? 'policies', parser.line, parser.column + 1);
  });
  try {
    parser.write(xml).close();
  } catch (e) {
    if (!failure) throw e;
  }
  if (failure) throw failure;
  if (!root) throw new XmlSyntaxError('Root element is missing.', 'policies', 1, 1);
  return root;
}

const escapeText = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
const escapeAttr = (s: string) => escapeText(s).replace(/"/g, '&quot;');

/**
 * An element's content (text and elements, in document order) written back as XML: what set-body's XML
 * children and xsl-transform's stylesheet are. `text` maps each text and attribute value (named values).
 * Comments are not kept by the reader, so they are not written.
 */
export function writeContent(node: XNode, text: (s: string) => string = (s) => s, escape: Escapes = XML_ESCAPES): string {
  let out = '';
  for (const c of node.content ?? []) out += typeof c === 'string' ? escape.text(text(c)) : writeElement(c, text, escape);
  return out;
}

export function writeElement(node: XNode, text: (s: string) => string = (s) => s, escape: Escapes = XML_ESCAPES): string {
  const attrs = Object.entries(node.attrs).map(([k, v]) => ` ${k}="${escape.attr(text(v))}"`).join('');
  if (!node.content?.length) return `<${node.name}${attrs} />`;
  return `<${node.name}${attrs}>${writeContent(node, text, escape)}</${node.name}>`;
}

/** How text and attribute values are escaped when written (a template keeps its own markup as is). */
export interface Escapes { text(s: string): string; attr(s: string): string }
export const XML_ESCAPES: Escapes = { text: escapeText, attr: escapeAttr };
