// XmlReader over a string (XmlReader.Create(new StringReader(xml))), the forward-only reader API Management
// policies use to pick values out of large XML bodies, and XNode.ReadFrom(reader). The document is parsed
// once (the same parser as XDocument) and walked as .NET's reader walks it: Element, Text, Whitespace and
// EndElement nodes, attributes not being nodes here.
import { EnumType } from './enums.js';
import { invalidOperation } from './exceptions.js';
import { XElement, XText, XNamespace, parseXml, type XNode } from './xml.js';

export const XmlNodeType = new EnumType('XmlNodeType', {
  None: 0, Element: 1, Attribute: 2, Text: 3, CDATA: 4, EntityReference: 5, Entity: 6, ProcessingInstruction: 7, Comment: 8,
  Document: 9, DocumentType: 10, DocumentFragment: 11, Notation: 12, Whitespace: 13, SignificantWhitespace: 14, EndElement: 15,
  EndEntity: 16, XmlDeclaration: 17,
});

export class StringReader {
  readonly dotNetType = 'System.IO.StringReader';
  private pos = 0;
  constructor(readonly text: string) {}
  readToEnd(): string { const s = this.text.slice(this.pos); this.pos = this.text.length; return s; }
  readLine(): string | null {
    if (this.pos >= this.text.length) return null;
    const m = /\r\n|\n|\r/.exec(this.text.slice(this.pos));
    const end = m ? this.pos + m.index : this.text.length;
    const line = this.text.slice(this.pos, end);
    this.pos = m ? end + m[0].length : end;
    return line;
  }
}

interface ReaderNode { type: number; el?: XElement; text?: string; depth: number; end?: number }

export class XmlReader {
  readonly dotNetType = 'System.Xml.XmlReader';
  private readonly nodes: ReaderNode[] = [];
  private i = -1;
  private closed = false;

  constructor(text: string) {
    const doc = parseXml(text);
    const root = doc.root;
    if (root) this.walk(root, 0);
  }

  static create(input: StringReader): XmlReader { return new XmlReader(input.readToEnd()); }

  private walk(el: XElement, depth: number): void {
    const start = this.nodes.length;
    this.nodes.push({ type: XmlNodeType.member('Element').value, el, depth });
    for (const n of el.nodes) {
      if (n instanceof XElement) this.walk(n, depth + 1);
      else if (n instanceof XText) {
        const text = n.value;
        this.nodes.push({ type: XmlNodeType.member(/^\s*$/.test(text) ? 'Whitespace' : 'Text').value, text, depth: depth + 1 });
      }
    }
    if (el.nodes.length > 0) this.nodes.push({ type: XmlNodeType.member('EndElement').value, el, depth });
    this.nodes[start].end = this.nodes.length;
  }

  private get current(): ReaderNode | undefined { return this.i >= 0 && !this.closed ? this.nodes[this.i] : undefined; }

  get eof(): boolean { return this.closed || this.i >= this.nodes.length; }
  get nodeType(): number { return this.current?.type ?? 0; }
  get depth(): number { return this.current?.depth ?? 0; }
  get localName(): string { return this.current?.el?.name.localName ?? ''; }
  /** The qualified name as written (`soap:Body`): the prefix the element's namespace was declared with. */
  get name(): string {
    const el = this.current?.el;
    if (!el) return '';
    const ns = el.name.namespaceName;
    if (!ns) return el.name.localName;
    for (let e: XElement | null = el; e; e = e.parent) {
      for (const a of e.attributes) {
        if (a.name.namespaceName === XNamespace.xmlns.namespaceName && a.value === ns) return `${a.name.localName}:${el.name.localName}`;
      }
    }
    return el.name.localName;
  }
  get value(): string { return this.current?.text ?? ''; }
  get isEmptyElement(): boolean { const c = this.current; return !!c?.el && c.type === 1 && c.el.nodes.length === 0; }

  read(): boolean {
    if (this.closed) return false;
    if (this.i < this.nodes.length) this.i++;
    return this.i < this.nodes.length;
  }

  /** Skips to the next content node (element, end element or text); returns its type. */
  moveToContent(): number {
    if (this.i < 0) this.read();
    while (this.current && this.current.type === 13) this.read();
    return this.nodeType;
  }

  readToFollowing(name: string): boolean {
    while (this.read()) if (this.current?.type === 1 && this.name === name) return true;
    return false;
  }

  getAttribute(name: string): string | null {
    const el = this.current?.type === 1 ? this.current.el : undefined;
    return el?.attributes.find((a) => a.name.localName === name && !a.name.namespaceName)?.value ?? null;
  }

  /** The element's text content, then past its end (ReadElementContentAsString). */
  readElementContentAsString(): string {
    const c = this.current;
    if (!c?.el || c.type !== 1) throw invalidOperation(`The ReadElementContentAsString method is not supported on node type ${XmlNodeType.nameOf(c?.type ?? 0)}.`);
    const text = c.el.value;
    this.i = c.end!;
    return text;
  }

  /** XNode.ReadFrom: the element the reader is on, as an XElement; the reader moves past it. */
  readNode(): XNode {
    const c = this.current;
    if (!c?.el || c.type !== 1) throw invalidOperation(`The XmlReader should be on a node of type Element instead of a node of type ${XmlNodeType.nameOf(c?.type ?? 0)}.`);
    this.i = c.end!;
    const copy = c.el.clone();
    return copy;
  }

  close(): void { this.closed = true; }
}
