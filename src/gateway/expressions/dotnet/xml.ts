// System.Xml.Linq: XName/XNamespace, XAttribute, XElement, XDocument (and the text, CDATA, comment and
// processing-instruction nodes they hold), parsed with saxes and written as .NET's XmlWriter indents them
// (two spaces; an element holding any text is written inline; `<a />` when empty).
import { SaxesParser, type SaxesAttributeNS, type SaxesTagNS } from 'saxes';
import { argumentError, argumentNull, DotNetException, formatError, invalidOperation } from './exceptions.js';
import { formatValue } from './composite.js';
import { formatDouble } from './numfmt.js';

const xmlException = (message: string, line: number, column: number) =>
  new DotNetException('System.Xml.XmlException', `${message} Line ${line}, position ${column}.`);

export class XNamespace {
  private constructor(readonly namespaceName: string) {}
  static get(name: string | null): XNamespace {
    if (name === null) throw argumentNull('namespaceName');
    return name === '' ? XNamespace.none : new XNamespace(name);
  }
  static readonly none = new XNamespace('');
  static readonly xml = new XNamespace('http://www.w3.org/XML/1998/namespace');
  static readonly xmlns = new XNamespace('http://www.w3.org/2000/xmlns/');
  getName(local: string): XName { return XName.get(local, this.namespaceName); }
  equalityKey(): string { return this.namespaceName; }
  toString(): string { return this.namespaceName; }
}

export class XName {
  private constructor(readonly localName: string, readonly namespaceName: string) {}
  static get(local: string, ns = ''): XName {
    if (!local) throw argumentError("The empty string '' is not a valid local name.");
    return new XName(local, ns);
  }
  /** implicit operator XName(string): `local` or `{namespace}local`. */
  static parse(expanded: string | null): XName | null {
    if (expanded === null) return null;
    const m = /^\{([^}]*)\}(.+)$/.exec(expanded);
    if (m) return XName.get(m[2], m[1]);
    if (expanded.startsWith('{')) throw argumentError(`The '{' character, hexadecimal value 0x7B, cannot be included in a name.`);
    return XName.get(expanded);
  }
  get namespace(): XNamespace { return XNamespace.get(this.namespaceName); }
  equals(o: XName | null): boolean { return o !== null && o.localName === this.localName && o.namespaceName === this.namespaceName; }
  equalityKey(): string { return this.toString(); }
  toString(): string { return this.namespaceName ? `{${this.namespaceName}}${this.localName}` : this.localName; }
}

export abstract class XNode {
  parent: XElement | null = null;
  document: XDocument | null = null;
  abstract clone(): XNode;
  remove(): void {
    const owner = this.parent ?? this.document;
    if (!owner) throw invalidOperation('The parent is missing.');
    owner.nodes.splice(owner.nodes.indexOf(this), 1);
    this.parent = null;
    this.document = null;
  }
  toString(): string { return writeNode(this, 0, new Map(), true); }
}

export class XText extends XNode {
  /** Whitespace-only text read by the parser: dropped unless its element holds other text. */
  whitespace = false;
  constructor(public value: string, readonly cdata = false) { super(); }
  clone(): XText { return new XText(this.value, this.cdata); }
}
export class XComment extends XNode {
  constructor(public value: string) { super(); }
  clone(): XComment { return new XComment(this.value); }
}
export class XProcessingInstruction extends XNode {
  constructor(public target: string, public data: string) { super(); }
  clone(): XProcessingInstruction { return new XProcessingInstruction(this.target, this.data); }
}

export class XAttribute {
  parent: XElement | null = null;
  constructor(readonly name: XName, public value: string) {}
  get isNamespaceDeclaration(): boolean { return this.name.namespaceName === XNamespace.xmlns.namespaceName || (this.name.namespaceName === '' && this.name.localName === 'xmlns'); }
  remove(): void {
    if (!this.parent) throw invalidOperation('The parent is missing.');
    this.parent.attributes.splice(this.parent.attributes.indexOf(this), 1);
    this.parent = null;
  }
  toString(): string { return `${this.name.localName === 'xmlns' || this.name.namespaceName === '' ? this.name.localName : this.name.toString()}="${escapeAttr(this.value)}"`; }
}

/** How XContainer.Add turns an object into text: XmlConvert's invariant forms. */
export function contentText(v: unknown): string {
  if (typeof v === 'boolean') return v ? 'true' : 'false';
  if (typeof v === 'number') return Number.isInteger(v) ? String(v) : v === Infinity ? 'INF' : v === -Infinity ? '-INF' : formatDouble(v);
  return formatValue(v);
}

export abstract class XContainer extends XNode {
  readonly nodes: XNode[] = [];
  add(content: unknown): void {
    if (content === null || content === undefined) return;
    if (content instanceof XAttribute) { this.addAttribute(content); return; }
    if (content instanceof XNode) { this.append(content.parent || content.document ? content.clone() : content); return; }
    if (typeof content === 'object' && Symbol.iterator in content && typeof content !== 'string') {
      for (const c of [...(content as Iterable<unknown>)]) this.add(c);
      return;
    }
    const text = contentText(content);
    const last = this.nodes[this.nodes.length - 1];
    if (last instanceof XText && !last.cdata) last.value += text;
    else if (text !== '' || this instanceof XElement) this.append(new XText(text));
  }
  protected addAttribute(_a: XAttribute): void { throw argumentError('An attribute cannot be added to content.'); }
  protected append(n: XNode): void {
    if (this instanceof XDocument) n.document = this; else n.parent = this as unknown as XElement;
    this.nodes.push(n);
  }
  elements(name?: XName | null): XElement[] {
    const all = this.nodes.filter((n): n is XElement => n instanceof XElement);
    return name === undefined ? all : name === null ? [] : all.filter((e) => e.name.equals(name));
  }
  element(name: XName | null): XElement | null { return name === null ? null : this.elements(name)[0] ?? null; }
  descendants(name?: XName | null): XElement[] {
    const out: XElement[] = [];
    const walk = (c: XContainer) => { for (const e of c.elements()) { out.push(e); walk(e); } };
    walk(this);
    return name === undefined ? out : name === null ? [] : out.filter((e) => e.name.equals(name));
  }
  removeNodes(): void { for (const n of [...this.nodes]) n.remove(); }
}

export class XElement extends XContainer {
  readonly attributes: XAttribute[] = [];
  /** Read as `<a/>` (not `<a></a>`): Json.NET's XmlNodeConverter writes the one as null, the other as "". */
  selfClosing = false;
  constructor(public name: XName) { super(); }
  clone(): XElement {
    const e = new XElement(this.name);
    for (const a of this.attributes) e.addAttribute(new XAttribute(a.name, a.value));
    for (const n of this.nodes) e.add(n.clone());
    return e;
  }
  protected override addAttribute(a: XAttribute): void {
    if (this.attribute(a.name)) throw invalidOperation('Duplicate attribute.');
    const own = a.parent ? new XAttribute(a.name, a.value) : a;
    own.parent = this;
    this.attributes.push(own);
  }
  attribute(name: XName | null): XAttribute | null { return name === null ? null : this.attributes.find((a) => a.name.equals(name)) ?? null; }
  get value(): string {
    let s = '';
    const walk = (c: XContainer) => { for (const n of c.nodes) { if (n instanceof XText) s += n.value; else if (n instanceof XElement) walk(n); } };
    walk(this);
    return s;
  }
  set value(v: string) {
    if (v === null) throw argumentNull('value');
    this.removeNodes();
    this.add(v);
  }
  get isEmpty(): boolean { return this.nodes.length === 0; }
  get hasElements(): boolean { return this.nodes.some((n) => n instanceof XElement); }
  setAttributeValue(name: XName, value: unknown): void {
    const a = this.attribute(name);
    if (value === null) { a?.remove(); return; }
    if (a) a.value = contentText(value); else this.addAttribute(new XAttribute(name, contentText(value)));
  }
  setElementValue(name: XName, value: unknown): void {
    const e = this.element(name);
    if (value === null) { e?.remove(); return; }
    if (e) e.value = contentText(value);
    else { const n = new XElement(name); n.add(contentText(value)); this.add(n); }
  }
  removeAll(): void { this.removeNodes(); for (const a of [...this.attributes]) a.remove(); }
}

export class XDocument extends XContainer {
  declaration: { version: string; encoding?: string; standalone?: string } | null = null;
  get root(): XElement | null { return this.nodes.find((n): n is XElement => n instanceof XElement) ?? null; }
  clone(): XDocument { const d = new XDocument(); d.declaration = this.declaration; for (const n of this.nodes) d.add(n.clone()); return d; }
  override add(content: unknown): void {
    if (typeof content === 'string' && content.trim() !== '') throw argumentError('Non-whitespace characters cannot be added to content.');
    if (content instanceof XElement && this.root) throw invalidOperation('This operation would create an incorrectly structured document.');
    if (typeof content === 'string') return;
    super.add(content);
  }
  override toString(): string { return this.nodes.map((n) => writeNode(n, 0, new Map(), true)).join('\n'); }
}

// ---- writing ----

const escapeText = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
const escapeAttr = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;')
  .replace(/\n/g, '&#xA;').replace(/\r/g, '&#xD;').replace(/\t/g, '&#x9;');

/** In-scope namespace → prefix ('' for the default namespace). */
type Scope = Map<string, string>;

function qualified(name: XName, scope: Scope, declare: string[], isAttr: boolean): string {
  if (!name.namespaceName) return name.localName;
  if (name.namespaceName === XNamespace.xml.namespaceName) return `xml:${name.localName}`;
  for (const [ns, prefix] of scope) if (ns === name.namespaceName && (!isAttr || prefix !== '')) return prefix ? `${prefix}:${name.localName}` : name.localName;
  if (isAttr) {
    // An attribute in an undeclared namespace gets a generated prefix, as XmlWriter does (p1, p2...).
    const p = `p${[...scope.values()].filter((v) => /^p\d+$/.test(v)).length + 1}`;
    scope.set(name.namespaceName, p);
    declare.push(`xmlns:${p}="${escapeAttr(name.namespaceName)}"`);
    return `${p}:${name.localName}`;
  }
  scope.set(name.namespaceName, '');
  declare.push(`xmlns="${escapeAttr(name.namespaceName)}"`);
  return name.localName;
}

function writeNode(n: XNode, depth: number, parentScope: Scope, indent: boolean): string {
  if (n instanceof XText) return n.cdata ? `<![CDATA[${n.value}]]>` : escapeText(n.value);
  if (n instanceof XComment) return `<!--${n.value}-->`;
  if (n instanceof XProcessingInstruction) return `<?${n.target}${n.data ? ` ${n.data}` : ''}?>`;
  if (!(n instanceof XElement)) return '';
  const scope: Scope = new Map(parentScope);
  for (const a of n.attributes) {
    if (a.name.namespaceName === XNamespace.xmlns.namespaceName) { for (const [k, v] of [...scope]) if (v === a.name.localName) scope.delete(k); scope.set(a.value, a.name.localName); }
    else if (a.name.namespaceName === '' && a.name.localName === 'xmlns') { for (const [k, v] of [...scope]) if (v === '') scope.delete(k); scope.set(a.value, ''); }
  }
  const declare: string[] = [];
  const tag = qualified(n.name, scope, declare, false);
  const attrs = n.attributes.map((a) => {
    if (a.isNamespaceDeclaration) return a.name.localName === 'xmlns' && a.name.namespaceName === '' ? `xmlns="${escapeAttr(a.value)}"` : `xmlns:${a.name.localName}="${escapeAttr(a.value)}"`;
    return `${qualified(a.name, scope, declare, true)}="${escapeAttr(a.value)}"`;
  });
  const head = `<${[tag, ...attrs, ...declare].join(' ')}`;
  if (!n.nodes.length) return `${head} />`;
  const mixed = n.nodes.some((c) => c instanceof XText);
  const pad = (d: number) => (indent && !mixed ? `\n${'  '.repeat(d)}` : '');
  const inner = n.nodes.map((c) => pad(depth + 1) + writeNode(c, depth + 1, scope, indent && !mixed)).join('');
  return `${head}>${inner}${pad(depth)}</${tag}>`;
}

// ---- reading ----

/** XDocument.Parse / XElement.Parse (LoadOptions.None: whitespace-only text between elements is dropped). */
export function parseXml(text: string | null): XDocument {
  if (text === null) throw argumentNull('text');
  const parser = new SaxesParser({ xmlns: true, position: true });
  const doc = new XDocument();
  const stack: XContainer[] = [doc];
  const top = () => stack[stack.length - 1];
  let failure: DotNetException | undefined;
  const fail = (message: string) => { failure ??= xmlException(message, parser.line, parser.column + 1); };
  parser.on('xmldecl', (d) => { doc.declaration = { version: d.version ?? '1.0', encoding: d.encoding, standalone: d.standalone }; });
  parser.on('opentag', (tag: SaxesTagNS) => {
    const e = new XElement(XName.get(tag.local, tag.uri));
    e.selfClosing = tag.isSelfClosing;
    for (const a of Object.values(tag.attributes) as SaxesAttributeNS[]) {
      const name = a.prefix === 'xmlns' ? XName.get(a.local, XNamespace.xmlns.namespaceName) : a.name === 'xmlns' ? XName.get('xmlns') : XName.get(a.local, a.uri);
      e.attributes.push(Object.assign(new XAttribute(name, a.value), { parent: e }));
    }
    top().add(e);
    stack.push(e);
  });
  parser.on('closetag', () => { stack.pop(); });
  parser.on('text', (t) => {
    if (top() instanceof XDocument) { if (t.trim() !== '') fail('Data at the root level is invalid.'); return; }
    const node = new XText(t);
    node.whitespace = t.trim() === '';
    node.parent = top() as XElement;
    top().nodes.push(node);
  });
  parser.on('cdata', (t) => { top().add(new XText(t, true)); });
  parser.on('comment', (t) => { top().add(new XComment(t)); });
  parser.on('processinginstruction', (pi) => { top().add(new XProcessingInstruction(pi.target, pi.body)); });
  parser.on('error', (err) => {
    const m = /^(?:[^:]*:)?\d+:\d+: (.*)$/.exec(err.message);
    const msg = m ? m[1] : err.message;
    if (/unclosed tag/i.test(msg)) {
      const open = stack.slice(1).map((x) => (x as XElement).name.localName).join(', ');
      fail(`Unexpected end of file has occurred. The following elements are not closed: ${open}.`);
    } else if (/unexpected close tag|unmatched closing tag/i.test(msg)) {
      const open = top();
      fail(open instanceof XElement ? `The '${open.name.localName}' start tag does not match the end tag.` : 'Unexpected end tag.');
    } else if (/text data outside of root node|text outside of root node/i.test(msg)) fail('Data at the root level is invalid.');
    else if (/must contain a root element/i.test(msg)) fail('Root element is missing.');
    else if (/only one root/i.test(msg)) fail('There are multiple root elements.');
    else fail(msg.endsWith('.') ? msg : `${msg}.`);
  });
  try { parser.write(text).close(); } catch (e) { fail(e instanceof Error ? e.message : String(e)); }
  if (failure) throw failure;
  if (!doc.root) throw xmlException('Root element is missing.', 1, 1);
  dropWhitespace(doc.root);
  return doc;
}

// Whitespace-only text is insignificant unless it sits next to other text (mixed content).
function dropWhitespace(e: XElement): void {
  const hasText = e.nodes.some((n) => n instanceof XText && !n.whitespace);
  if (!hasText) for (const n of [...e.nodes]) if (n instanceof XText && n.whitespace) e.nodes.splice(e.nodes.indexOf(n), 1);
  // Adjacent text nodes read separately become one, as XmlReader gives them.
  for (let i = e.nodes.length - 1; i > 0; i--) {
    const a = e.nodes[i - 1]; const b = e.nodes[i];
    if (a instanceof XText && b instanceof XText && !a.cdata && !b.cdata) { a.value += b.value; a.whitespace = false; e.nodes.splice(i, 1); }
  }
  for (const c of e.elements()) dropWhitespace(c);
}

export function parseElement(text: string | null): XElement {
  const root = parseXml(text).root as XElement;
  root.remove();
  return root;
}

// ---- explicit conversions (XElement/XAttribute → value), through XmlConvert ----

export type XmlPrimitive = 'String' | 'Int32' | 'Int64' | 'Double' | 'Boolean' | 'Decimal';

export function xmlCast(node: XElement | XAttribute | null, to: XmlPrimitive, nullable: boolean, param: 'element' | 'attribute'): unknown {
  if (node === null) {
    if (to === 'String' || nullable) return null;
    throw argumentNull(param);
  }
  const s = node instanceof XElement ? node.value : node.value;
  const t = s.trim();
  switch (to) {
    case 'String': return s;
    case 'Boolean':
      if (t === 'true' || t === '1') return true;
      if (t === 'false' || t === '0') return false;
      throw formatError(`The string '${s}' is not a valid Boolean value.`);
    case 'Double': case 'Decimal':
      if (t === 'INF' && to === 'Double') return Infinity;
      if (t === '-INF' && to === 'Double') return -Infinity;
      if (t === 'NaN' && to === 'Double') return NaN;
      if (!/^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/.test(t)) throw formatError();
      return Number(t);
    default: {
      if (!/^[+-]?\d+$/.test(t)) throw formatError();
      const n = BigInt(t);
      const [min, max] = to === 'Int32' ? [-(2n ** 31n), 2n ** 31n - 1n] : [-(2n ** 63n), 2n ** 63n - 1n];
      if (n < min || n > max) throw new DotNetException('System.OverflowException', `Value was either too large or too small for an ${to}.`);
      return to === 'Int64' ? n : Number(n);
    }
  }
}
