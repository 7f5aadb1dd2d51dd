// System.Xml.XmlReader over a StringReader, and XNode.ReadFrom: the streaming way real policies read XML.
// XmlReader.Create takes only a TextReader here: its URI and stream overloads read files, which APIM forbids.
import type { TypeSpec } from './define.js';
import { enumSpec } from './enum-spec.js';
import { StringReader, XmlNodeType, XmlReader } from '../dotnet/xml-reader.js';
import { argumentNull } from '../dotnet/exceptions.js';

export const xmlReaderTypes: TypeSpec[] = [
  enumSpec(XmlNodeType, 'System.Xml'),
  {
    name: 'TextReader', namespace: 'System.IO', is: (v) => v instanceof StringReader,
    instance: {
      'ReadToEnd(): string': (r: StringReader) => r.readToEnd(),
      'ReadLine(): string': (r: StringReader) => r.readLine(),
      'Dispose(): void': () => null,
      'Close(): void': () => null,
    },
  },
  {
    name: 'StringReader', namespace: 'System.IO', base: 'TextReader', is: (v) => v instanceof StringReader,
    ctors: { '(string s)': (s: string | null) => { if (s === null) throw argumentNull('s'); return new StringReader(s); } },
  },
  {
    name: 'XmlReader', namespace: 'System.Xml', is: (v) => v instanceof XmlReader,
    statics: {
      'Create(TextReader input): XmlReader': (r: StringReader | null) => { if (r === null) throw argumentNull('input'); return XmlReader.create(r); },
    },
    instance: {
      'EOF: bool': (r: XmlReader) => r.eof,
      'Name: string': (r: XmlReader) => r.name,
      'LocalName: string': (r: XmlReader) => r.localName,
      'Value: string': (r: XmlReader) => r.value,
      'Depth: int': (r: XmlReader) => r.depth,
      'IsEmptyElement: bool': (r: XmlReader) => r.isEmptyElement,
      'NodeType: XmlNodeType': (r: XmlReader) => XmlNodeType.of(r.nodeType),
      'Read(): bool': (r: XmlReader) => r.read(),
      'MoveToContent(): XmlNodeType': (r: XmlReader) => XmlNodeType.of(r.moveToContent()),
      'ReadToFollowing(string name): bool': (r: XmlReader, n: string) => r.readToFollowing(n),
      'GetAttribute(string name): string': (r: XmlReader, n: string) => r.getAttribute(n),
      'ReadElementContentAsString(): string': (r: XmlReader) => r.readElementContentAsString(),
      'Close(): void': (r: XmlReader) => { r.close(); return null; },
      'Dispose(): void': (r: XmlReader) => { r.close(); return null; },
    },
  },
];
