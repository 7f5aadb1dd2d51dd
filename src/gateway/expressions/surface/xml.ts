// System.Xml.Linq for expressions (XDocument.Load is not declared: API Management forbids it).
import { XmlReader } from '../dotnet/xml-reader.js';
import { argumentNull } from '../dotnet/exceptions.js';
import {
  contentText, parseElement, parseXml, XAttribute, XComment, XContainer, XDocument, XElement, XName, XNamespace, XNode, XText, xmlCast, type XmlPrimitive,
} from '../dotnet/xml.js';
import type { Impl, TypeSpec } from './define.js';

const NS = 'System.Xml.Linq';
const CASTS: readonly [string, XmlPrimitive, boolean][] = [
  ['string', 'String', true], ['int', 'Int32', false], ['int?', 'Int32', true], ['long', 'Int64', false], ['long?', 'Int64', true],
  ['double', 'Double', false], ['double?', 'Double', true], ['bool', 'Boolean', false], ['bool?', 'Boolean', true],
  ['decimal', 'Decimal', false], ['decimal?', 'Decimal', true],
];
const casts = (from: 'XElement' | 'XAttribute') => Object.fromEntries(CASTS.map(([cs, p, nullable]) => [
  `op_Explicit(${from} ${from === 'XElement' ? 'element' : 'attribute'}): ${cs}`,
  (n: XElement | XAttribute | null) => xmlCast(n, p, nullable, from === 'XElement' ? 'element' : 'attribute'),
])) as Record<string, Impl>;

const needName = (n: XName | null): XName => { if (n === null) throw argumentNull('name'); return n; };
const newElement = (name: XName | null, content: unknown[]) => {
  const e = new XElement(needName(name));
  for (const c of content) e.add(c);
  return e;
};

const containerMembers = {
  'Nodes(): IEnumerable<XNode>': (c: XContainer) => [...c.nodes],
  'Elements(): IEnumerable<XElement>': (c: XContainer) => c.elements(),
  'Elements(XName name): IEnumerable<XElement>': (c: XContainer, n: XName | null) => c.elements(n),
  'Element(XName name): XElement': (c: XContainer, n: XName | null) => c.element(n),
  'Descendants(): IEnumerable<XElement>': (c: XContainer) => c.descendants(),
  'Descendants(XName name): IEnumerable<XElement>': (c: XContainer, n: XName | null) => c.descendants(n),
  'Add(object content): void': (c: XContainer, x: unknown) => c.add(x),
  'Add(params object[] content): void': (c: XContainer, xs: unknown[]) => c.add(xs),
  'RemoveNodes(): void': (c: XContainer) => c.removeNodes(),
  'FirstNode: XNode': (c: XContainer) => c.nodes[0] ?? null,
  'LastNode: XNode': (c: XContainer) => c.nodes[c.nodes.length - 1] ?? null,
};

export const xml: TypeSpec[] = [
  {
    name: 'XNamespace', namespace: NS, is: (v) => v instanceof XNamespace,
    instance: {
      'NamespaceName: string': (n: XNamespace) => n.namespaceName,
      'GetName(string localName): XName': (n: XNamespace, l: string) => n.getName(l),
      'ToString(): string': (n: XNamespace) => n.toString(),
    },
    statics: {
      'Get(string namespaceName): XNamespace': (s: string | null) => XNamespace.get(s),
      'None: XNamespace': () => XNamespace.none,
      'Xml: XNamespace': () => XNamespace.xml,
      'Xmlns: XNamespace': () => XNamespace.xmlns,
      'op_Implicit(string namespaceName): XNamespace': (s: string | null) => (s === null ? null : XNamespace.get(s)),
      'op_Addition(XNamespace ns, string localName): XName': (ns: XNamespace | null, l: string) => { if (ns === null) throw argumentNull('ns'); return ns.getName(l); },
      'op_Equality(XNamespace left, XNamespace right): bool': (a: XNamespace | null, b: XNamespace | null) => a?.namespaceName === b?.namespaceName,
      'op_Inequality(XNamespace left, XNamespace right): bool': (a: XNamespace | null, b: XNamespace | null) => a?.namespaceName !== b?.namespaceName,
    },
  },
  {
    name: 'XName', namespace: NS, is: (v) => v instanceof XName,
    instance: {
      'LocalName: string': (n: XName) => n.localName,
      'Namespace: XNamespace': (n: XName) => n.namespace,
      'NamespaceName: string': (n: XName) => n.namespaceName,
      'ToString(): string': (n: XName) => n.toString(),
    },
    statics: {
      'Get(string expandedName): XName': (s: string | null) => XName.parse(s),
      'Get(string localName, string namespaceName): XName': (l: string, ns: string) => XName.get(l, ns),
      'op_Implicit(string expandedName): XName': (s: string | null) => XName.parse(s),
      'op_Equality(XName left, XName right): bool': (a: XName | null, b: XName | null) => (a === null ? b === null : a.equals(b)),
      'op_Inequality(XName left, XName right): bool': (a: XName | null, b: XName | null) => !(a === null ? b === null : a.equals(b)),
    },
  },
  {
    name: 'XObject', namespace: NS, is: (v) => v instanceof XNode || v instanceof XAttribute,
  },
  {
    name: 'XNode', namespace: NS, base: 'XObject', is: (v) => v instanceof XNode,
    statics: {
      'ReadFrom(XmlReader reader): XNode': (r: XmlReader | null) => { if (r === null) throw argumentNull('reader'); return r.readNode(); },
    },
    instance: {
      'Parent: XElement': (n: XNode) => n.parent,
      'Document: XDocument': (n: XNode) => { let e: XNode | null = n; while (e?.parent) e = e.parent; return e instanceof XDocument ? e : e?.document ?? null; },
      'Remove(): void': (n: XNode) => n.remove(),
      'ToString(): string': (n: XNode) => n.toString(),
    },
  },
  { name: 'XText', namespace: NS, base: 'XNode', is: (v) => v instanceof XText, instance: { 'Value: string': { get: (t: XText) => t.value, set: (t: XText, v: string) => { t.value = v; } } } },
  { name: 'XComment', namespace: NS, base: 'XNode', is: (v) => v instanceof XComment, instance: { 'Value: string': { get: (t: XComment) => t.value, set: (t: XComment, v: string) => { t.value = v; } } } },
  { name: 'XContainer', namespace: NS, base: 'XNode', is: (v) => v instanceof XContainer, instance: containerMembers },
  {
    name: 'XElement', namespace: NS, base: 'XContainer', is: (v) => v instanceof XElement,
    ctors: {
      '(XName name)': (n: XName | null) => newElement(n, []),
      '(XName name, object content)': (n: XName | null, c: unknown) => newElement(n, [c]),
      '(XName name, params object[] content)': (n: XName | null, c: unknown[]) => newElement(n, c),
      '(XElement other)': (e: XElement | null) => { if (e === null) throw argumentNull('other'); return e.clone(); },
    },
    instance: {
      'Name: XName': { get: (e: XElement) => e.name, set: (e: XElement, n: XName | null) => { e.name = needName(n); } },
      'Value: string': { get: (e: XElement) => e.value, set: (e: XElement, v: string) => { e.value = v; } },
      'IsEmpty: bool': (e: XElement) => e.isEmpty,
      'HasElements: bool': (e: XElement) => e.hasElements,
      'HasAttributes: bool': (e: XElement) => e.attributes.length > 0,
      'Attribute(XName name): XAttribute': (e: XElement, n: XName | null) => e.attribute(n),
      'Attributes(): IEnumerable<XAttribute>': (e: XElement) => [...e.attributes],
      'Attributes(XName name): IEnumerable<XAttribute>': (e: XElement, n: XName | null) => e.attributes.filter((a) => n !== null && a.name.equals(n)),
      'DescendantsAndSelf(): IEnumerable<XElement>': (e: XElement) => [e, ...e.descendants()],
      'Ancestors(): IEnumerable<XElement>': (e: XElement) => { const out: XElement[] = []; for (let p = e.parent; p; p = p.parent) out.push(p); return out; },
      'SetAttributeValue(XName name, object value): void': (e: XElement, n: XName | null, v: unknown) => e.setAttributeValue(needName(n), v),
      'SetElementValue(XName name, object value): void': (e: XElement, n: XName | null, v: unknown) => e.setElementValue(needName(n), v),
      'SetValue(object value): void': (e: XElement, v: unknown) => { if (v === null) throw argumentNull('value'); e.removeNodes(); e.add(v); },
      'RemoveAll(): void': (e: XElement) => e.removeAll(),
      'RemoveAttributes(): void': (e: XElement) => { for (const a of [...e.attributes]) a.remove(); },
    },
    statics: { 'Parse(string text): XElement': (s: string | null) => parseElement(s), ...casts('XElement') },
  },
  {
    name: 'XDocument', namespace: NS, base: 'XContainer', is: (v) => v instanceof XDocument,
    ctors: {
      '()': () => new XDocument(),
      '(params object[] content)': (c: unknown[]) => { const d = new XDocument(); d.add(c); return d; },
    },
    instance: { 'Root: XElement': (d: XDocument) => d.root },
    statics: { 'Parse(string text): XDocument': (s: string | null) => parseXml(s) },
  },
  {
    name: 'XAttribute', namespace: NS, base: 'XObject', is: (v) => v instanceof XAttribute,
    ctors: { '(XName name, object value)': (n: XName | null, v: unknown) => { if (v === null) throw argumentNull('value'); return new XAttribute(needName(n), contentText(v)); } },
    instance: {
      'Name: XName': (a: XAttribute) => a.name,
      'Value: string': { get: (a: XAttribute) => a.value, set: (a: XAttribute, v: string) => { if (v === null) throw argumentNull('value'); a.value = v; } },
      'Parent: XElement': (a: XAttribute) => a.parent,
      'IsNamespaceDeclaration: bool': (a: XAttribute) => a.isNamespaceDeclaration,
      'Remove(): void': (a: XAttribute) => a.remove(),
      'ToString(): string': (a: XAttribute) => a.toString(),
    },
    statics: casts('XAttribute'),
  },
];
