// The json-to-xml and xml-to-json conversions, as pure functions of text.
//
// json-to-xml follows Microsoft's json-to-xml reference page and the output API Management documents:
// a JSON object with a single object-valued property is the root element, anything else is wrapped in
// <Document>; an array repeats its property's element; null is `xsi:nil="true"`; values are written as
// .NET's JValue.ToString() writes them (true → True, dates with parse-date → MM/dd/yyyy HH:mm:ss);
// `namespace-prefix` properties declare namespaces, `namespace-separator` splits prefix from local name,
// the `attribute-block-name` object's properties become attributes.
//
// xml-to-json follows Newtonsoft's XmlNodeConverter (SerializeXmlNode), which API Management uses:
// attributes as "@name", text as "#text" (and "#cdata-section"), the declaration as "?xml", same-named
// children grouped into an array, an empty element `<a/>` as null and `<a></a>` as "", every value a string.
import { parseXml, XComment, XDocument, XElement, XNamespace, XProcessingInstruction, XText, type XName } from '../expressions/dotnet/xml.js';
import { formatDate, parseDate } from '../expressions/dotnet/datefmt.js';
import { Kind, TICKS_PER_MS } from '../expressions/dotnet/datetime.js';

export class ConversionError extends Error {}

// ---------------------------------------------------------------- json → xml

export interface JsonToXmlOptions {
  /** Date-formatted strings become .NET DateTimes (written MM/dd/yyyy HH:mm:ss); default true. */
  parseDate?: boolean;
  /** Separates a namespace prefix from the local name in property names; default '_'. */
  namespaceSeparator?: string;
  /** Properties named so (or so + separator + prefix) declare namespaces; none by default. */
  namespacePrefix?: string;
  /** The object whose properties become attributes of its element; none by default. */
  attributeBlockName?: string;
}

const XSI = 'http://www.w3.org/2001/XMLSchema-instance';

const escText = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
const escAttr = (s: string) => escText(s).replace(/"/g, '&quot;');

const NAME_START = /[A-Z_a-z\u00C0-\u00D6\u00D8-\u00F6\u00F8-\u02FF\u0370-\u037D\u037F-\u1FFF\u200C-\u200D\u2070-\u218F\u2C00-\u2FEF\u3001-\uD7FF\uF900-\uFDCF\uFDF0-\uFFFD]/;
const NAME_CHAR = /[-.0-9\u00B7\u0300-\u036F\u203F-\u2040A-Z_a-z\u00C0-\u00D6\u00D8-\u00F6\u00F8-\u02FF\u0370-\u037D\u037F-\u1FFF\u200C-\u200D\u2070-\u218F\u2C00-\u2FEF\u3001-\uD7FF\uF900-\uFDCF\uFDF0-\uFFFD]/;
const hex4 = (c: string) => `_x${c.codePointAt(0)!.toString(16).toUpperCase().padStart(4, '0')}_`;

/** XmlConvert.EncodeLocalName: a character not allowed in an XML name becomes _xHHHH_ (so does '_x' that looks like one). */
export function encodeLocalName(name: string): string {
  if (name === '') return '_';
  let out = '';
  for (let i = 0; i < name.length; i++) {
    const c = name[i];
    if (c === '_' && /^_x[0-9A-Fa-f]{4}_/.test(name.slice(i))) { out += hex4('_'); continue; }
    const ok = i === 0 ? NAME_START.test(c) : NAME_CHAR.test(c);
    out += ok ? c : hex4(c);
  }
  return out;
}

const pad = (n: number, w = 2) => String(n).padStart(w, '0');
const MS_DATE = /^\/Date\((-?\d+)([+-]\d{4})?\)\/$/;
const ISO_DATE = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:\d{2})?$/;

/**
 * A date-formatted string as .NET's DateTime.ToString() writes it with the invariant culture
 * (MM/dd/yyyy HH:mm:ss); one with an offset is converted to local time, which is UTC here.
 * Undefined when the string is not a date Json.NET would parse.
 */
export function netDateText(s: string): string | undefined {
  const ms = MS_DATE.exec(s);
  if (ms) {
    const d = new Date(Number(ms[1]));
    if (Number.isNaN(d.getTime())) return undefined;
    return `${pad(d.getUTCMonth() + 1)}/${pad(d.getUTCDate())}/${d.getUTCFullYear()} ${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}:${pad(d.getUTCSeconds())}`;
  }
  if (!ISO_DATE.test(s)) return undefined;
  const p = parseDate(s, () => 0n);
  if (!p) return undefined;
  const ticks = p.offset === null ? p.ticks : p.ticks - BigInt(p.offset) * 60_000n * TICKS_PER_MS;
  return formatDate(ticks, Kind.Unspecified, null, 'MM/dd/yyyy HH:mm:ss');
}

/** A JSON value as JValue.ToString() writes it. */
function scalarText(v: string | number | boolean, parseDates: boolean): string {
  if (typeof v === 'boolean') return v ? 'True' : 'False';
  if (typeof v === 'number') return String(v).replace('e+', 'E+').replace('e-', 'E-');
  return parseDates ? netDateText(v) ?? v : v;
}

type Json = null | string | number | boolean | Json[] | { [k: string]: Json };

/** Converts JSON text to XML text; throws ConversionError for text that is not JSON. */
export function jsonToXml(text: string, options: JsonToXmlOptions = {}): string {
  let value: Json;
  try { value = JSON.parse(text) as Json; } catch (e) { throw new ConversionError(`The body is not valid JSON: ${(e as Error).message}`); }
  const o = {
    parseDate: options.parseDate ?? true,
    sep: options.namespaceSeparator || '_',
    prefix: options.namespacePrefix || undefined,
    attrs: options.attributeBlockName || undefined,
  };
  const isObject = (v: Json): v is { [k: string]: Json } => v !== null && typeof v === 'object' && !Array.isArray(v);

  /** A property name as an element or attribute name: prefix:local when the prefix is a declared namespace. */
  const qname = (name: string, scope: ReadonlySet<string>): string => {
    const i = name.indexOf(o.sep);
    if (i > 0 && i < name.length - o.sep.length) {
      const p = name.slice(0, i);
      if (scope.has(p) || p === 'xml') return `${encodeLocalName(p)}:${encodeLocalName(name.slice(i + o.sep.length))}`;
    }
    return encodeLocalName(name);
  };
  /** Namespace declarations among an object's properties: [attribute text, declared prefix]. */
  const declarations = (obj: { [k: string]: Json }): { text: string[]; prefixes: string[] } => {
    const text: string[] = [];
    const prefixes: string[] = [];
    if (!o.prefix) return { text, prefixes };
    for (const [k, v] of Object.entries(obj)) {
      if (typeof v !== 'string') continue;
      if (k === o.prefix) text.push(`xmlns="${escAttr(v)}"`);
      else if (k.startsWith(o.prefix + o.sep) && k.length > o.prefix.length + o.sep.length) {
        const p = k.slice(o.prefix.length + o.sep.length);
        prefixes.push(p);
        text.push(`xmlns:${encodeLocalName(p)}="${escAttr(v)}"`);
      }
    }
    return { text, prefixes };
  };
  const isDeclaration = (k: string, v: Json) => o.prefix !== undefined && typeof v === 'string'
    && (k === o.prefix || (k.startsWith(o.prefix + o.sep) && k.length > o.prefix.length + o.sep.length));

  const element = (name: string, v: Json, scope: ReadonlySet<string>, out: string[]): void => {
    if (Array.isArray(v)) {
      if (v.length === 0) { out.push(`<${qname(name, scope)} />`); return; }
      for (const item of v) element(name, item, scope, out);
      return;
    }
    if (v === null) {
      out.push(`<${qname(name, scope)} xsi:nil="true" xmlns:xsi="${XSI}" />`);
      return;
    }
    if (!isObject(v)) {
      const tag = qname(name, scope);
      const t = scalarText(v, o.parseDate);
      out.push(t === '' ? `<${tag} />` : `<${tag}>${escText(t)}</${tag}>`);
      return;
    }
    const decl = declarations(v);
    const inner = decl.prefixes.length ? new Set([...scope, ...decl.prefixes]) : scope;
    const tag = qname(name, inner);
    const attrs: string[] = [];
    const block = o.attrs !== undefined ? v[o.attrs] : undefined;
    if (isObject(block ?? null)) {
      for (const [k, a] of Object.entries(block as { [k: string]: Json })) {
        attrs.push(`${qname(k, inner)}="${escAttr(a === null ? '' : typeof a === 'object' ? JSON.stringify(a) : scalarText(a, o.parseDate))}"`);
      }
    }
    const children: string[] = [];
    for (const [k, c] of Object.entries(v)) {
      if (o.attrs !== undefined && k === o.attrs && isObject(c)) continue;
      if (isDeclaration(k, c)) continue;
      element(k, c, inner, children);
    }
    // One attribute per name (a declaration and an attribute-block entry may name the same one): the first wins.
    const seen = new Set<string>();
    const unique = [...decl.text, ...attrs].filter((a) => { const n = a.slice(0, a.indexOf('=')); if (seen.has(n)) return false; seen.add(n); return true; });
    const head = [tag, ...unique].join(' ');
    out.push(children.length === 0 ? `<${head} />` : `<${head}>${children.join('')}</${tag}>`);
  };

  const out: string[] = [];
  const keys = isObject(value) ? Object.keys(value) : [];
  if (isObject(value) && keys.length === 1 && isObject(value[keys[0]])) {
    element(keys[0], value[keys[0]], new Set(), out);
  } else if (isObject(value)) {
    element('Document', value, new Set(), out);
  } else {
    // A top-level array or value: inside <Document>, an array's items each as <Document> children named Item.
    const inner: string[] = [];
    if (Array.isArray(value)) for (const item of value) element('Item', item, new Set(), inner);
    else element('Value', value, new Set(), inner);
    out.push(inner.length ? `<Document>${inner.join('')}</Document>` : '<Document />');
  }
  return out.join('');
}

// ---------------------------------------------------------------- xml → json

export interface XmlToJsonOptions {
  /** 'direct' (Json.NET's form, with the declaration and namespace declarations) or 'javascript-friendly'. */
  kind: 'direct' | 'javascript-friendly';
  /** Every child element as an array, even a single one; default false. */
  alwaysArrayChildElements?: boolean;
  /** How an element with xsi:nil="true" is shown: 'blank' (""), 'null' (null), or as any element ('element'). */
  xsiNil?: 'blank' | 'null' | 'element';
}

type JsonOut = null | string | JsonOut[] | { [k: string]: JsonOut };

/** The element's or attribute's name as written: prefix:local, the prefix found among the in-scope declarations. */
function prefixed(name: XName, at: XElement, isAttr: boolean): string {
  if (!name.namespaceName) return name.localName;
  if (name.namespaceName === XNamespace.xml.namespaceName) return `xml:${name.localName}`;
  for (let e: XElement | null = at; e; e = e.parent) {
    for (const a of e.attributes) {
      if (a.value !== name.namespaceName) continue;
      if (a.name.namespaceName === XNamespace.xmlns.namespaceName) return `${a.name.localName}:${name.localName}`;
      if (!isAttr && a.name.localName === 'xmlns' && a.name.namespaceName === '') return name.localName;
    }
  }
  return name.localName;
}

const attrName = (a: { name: XName; isNamespaceDeclaration: boolean }, at: XElement): string =>
  a.isNamespaceDeclaration
    ? (a.name.namespaceName === '' ? 'xmlns' : `xmlns:${a.name.localName}`)
    : prefixed(a.name, at, true);

/** Converts XML text to JSON text; throws ConversionError for text that is not well-formed XML. */
export function xmlToJson(text: string, options: XmlToJsonOptions): string {
  return JSON.stringify(xmlToValue(text, options));
}

/** The JSON value xml-to-json produces for XML text (also what a Liquid template sees as `body`). */
export function xmlToValue(text: string, options: XmlToJsonOptions): JsonOut {
  let doc: XDocument;
  try { doc = parseXml(text); } catch (e) { throw new ConversionError(`The body is not well-formed XML: ${(e as Error).message}`); }
  const direct = options.kind === 'direct';
  const forceArray = options.alwaysArrayChildElements === true;
  const nil = options.xsiNil ?? 'element';

  const elementValue = (e: XElement): JsonOut => {
    if (nil !== 'element' && e.attributes.some((a) => a.name.namespaceName === XSI && a.name.localName === 'nil' && a.value.trim() === 'true')) {
      return nil === 'null' ? null : '';
    }
    const attrs = e.attributes.filter((a) => direct || !a.isNamespaceDeclaration);
    const nodes = e.nodes.filter((n) => n instanceof XElement || n instanceof XText || (direct && n instanceof XProcessingInstruction));
    if (attrs.length === 0 && nodes.length === 0) return e.selfClosing ? null : '';
    if (attrs.length === 0 && nodes.length === 1 && nodes[0] instanceof XText) return nodes[0].value;
    const obj: { [k: string]: JsonOut } = {};
    for (const a of attrs) obj[`@${attrName(a, e)}`] = a.value;
    group(nodes, e, obj);
    return obj;
  };

  /** Child nodes by property name, in order of first appearance; a name seen more than once is an array. */
  const group = (nodes: readonly unknown[], parent: XElement | null, obj: { [k: string]: JsonOut }) => {
    const groups = new Map<string, { values: JsonOut[]; element: boolean }>();
    for (const n of nodes) {
      let key: string;
      let value: JsonOut;
      let element = false;
      if (n instanceof XElement) { key = prefixed(n.name, n, false); value = elementValue(n); element = true; }
      else if (n instanceof XText) { key = n.cdata ? '#cdata-section' : '#text'; value = n.value; }
      else if (n instanceof XProcessingInstruction) { key = `?${n.target}`; value = n.data; }
      else continue;
      const g = groups.get(key);
      if (g) g.values.push(value); else groups.set(key, { values: [value], element });
    }
    for (const [k, g] of groups) obj[k] = g.values.length === 1 && !(forceArray && g.element && parent !== null) ? g.values[0] : g.values;
  };

  const out: { [k: string]: JsonOut } = {};
  if (direct && doc.declaration) {
    const d: { [k: string]: JsonOut } = { '@version': doc.declaration.version };
    if (doc.declaration.encoding) d['@encoding'] = doc.declaration.encoding;
    if (doc.declaration.standalone) d['@standalone'] = doc.declaration.standalone;
    out['?xml'] = d;
  }
  group(doc.nodes.filter((n) => !(n instanceof XComment) && (direct || !(n instanceof XProcessingInstruction))), null, out);
  return out;
}
