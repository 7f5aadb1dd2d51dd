// System.Xml.Linq: parse, query, edit and ToString as .NET writes it (`cs`: the C# each row models).
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { DotNetException } from '../../../src/gateway/expressions/dotnet/exceptions.js';
import { parseElement, parseXml, XAttribute, XElement, XName, XNamespace, xmlCast } from '../../../src/gateway/expressions/dotnet/xml.js';
import { Surface } from '../../../src/gateway/expressions/surface/index.js';

const n = (s: string) => XName.parse(s) as XName;

describe('parse and ToString', () => {
  const rows: { cs: string; input: string; want: string }[] = [
    { cs: 'XElement.Parse("<a><b>1</b><c/></a>").ToString()', input: '<a><b>1</b><c/></a>', want: '<a>\n  <b>1</b>\n  <c />\n</a>' },
    { cs: 'insignificant whitespace dropped, re-indented', input: '<a>\n    <b>  x  </b>\n</a>', want: '<a>\n  <b>  x  </b>\n</a>' },
    { cs: 'mixed content written inline', input: '<p>t<i>u</i>v</p>', want: '<p>t<i>u</i>v</p>' },
    { cs: 'escaping in text and attributes', input: '<a k="&quot;&lt;&#10;">x &amp; y &gt;</a>', want: '<a k="&quot;&lt;&#xA;">x &amp; y &gt;</a>' },
    { cs: 'namespaces and prefixes kept', input: '<r xmlns="urn:a" xmlns:b="urn:b"><b:i b:k="1"/><i/></r>', want: '<r xmlns="urn:a" xmlns:b="urn:b">\n  <b:i b:k="1" />\n  <i />\n</r>' },
    { cs: 'CDATA and comments', input: '<a><![CDATA[<x>]]><!--c--></a>', want: '<a><![CDATA[<x>]]><!--c--></a>' },
  ];
  for (const r of rows) it(r.cs, () => assert.equal(parseElement(r.input).toString(), r.want));
  it('XDocument.ToString() leaves the declaration out', () => {
    assert.equal(parseXml('<?xml version="1.0" encoding="utf-8"?><a/>').toString(), '<a />');
  });
  const errors: { cs: string; input: string; message: string }[] = [
    { cs: 'XDocument.Parse("")', input: '', message: 'Root element is missing. Line 1, position 1.' },
    { cs: 'XDocument.Parse("<a>")', input: '<a>', message: 'Unexpected end of file has occurred. The following elements are not closed: a. Line 1, position 4.' },
    { cs: 'XDocument.Parse("<a/><b/>")', input: '<a/><b/>', message: 'There are multiple root elements. Line 1, position 8.' },
  ];
  for (const r of errors) {
    it(r.cs, () => assert.throws(() => parseXml(r.input), (e: unknown) => e instanceof DotNetException && e.type === 'System.Xml.XmlException' && e.message === r.message));
  }
  it('mismatched tags are an XmlException', () => assert.throws(() => parseXml('<a></b>'), (e: unknown) => e instanceof DotNetException && e.type === 'System.Xml.XmlException'));
});

describe('query and edit', () => {
  const doc = parseXml('<r xmlns="urn:a"><item id="1">x</item><item id="2"><v>7</v></item><other/></r>');
  const ns = XNamespace.get('urn:a');
  it('Descendants/Elements/Attribute with namespaces', () => {
    assert.equal(doc.root?.elements(ns.getName('item')).length, 2);
    assert.equal(doc.root?.elements(n('item')).length, 0);
    assert.equal(doc.descendants(ns.getName('v'))[0].value, '7');
    assert.equal(doc.root?.elements()[1].attribute(n('id'))?.value, '2');
    assert.equal(doc.root?.name.toString(), '{urn:a}r');
    assert.equal(doc.root?.name.localName, 'r');
    assert.equal(doc.root?.value, 'x7');
  });
  it('(int)element, (bool)attribute, (int?)null', () => {
    assert.equal(xmlCast(doc.descendants(ns.getName('v'))[0], 'Int32', false, 'element'), 7);
    assert.equal(xmlCast(new XAttribute(n('b'), '1'), 'Boolean', false, 'attribute'), true);
    assert.equal(xmlCast(null, 'Int32', true, 'element'), null);
    assert.throws(() => xmlCast(null, 'Int32', false, 'element'), /Value cannot be null\. \(Parameter 'element'\)/);
    assert.throws(() => xmlCast(new XAttribute(n('b'), 'yes'), 'Boolean', false, 'attribute'), /The string 'yes' is not a valid Boolean value\./);
  });
  it('new XElement(name, content...), SetAttributeValue, SetElementValue, Remove', () => {
    const e = new XElement(n('order'));
    e.add([new XAttribute(n('id'), '5'), new XElement(n('line')), 'text', 3]);
    assert.equal(e.toString(), '<order id="5"><line />text3</order>');
    const f = new XElement(n('a'));
    f.setAttributeValue(n('k'), true);
    f.setElementValue(n('c'), 1.5);
    f.setElementValue(n('d'), 'x');
    f.setElementValue(n('d'), null);
    assert.equal(f.toString(), '<a k="true">\n  <c>1.5</c>\n</a>');
    f.elements()[0].remove();
    assert.equal(f.toString(), '<a k="true" />');
  });
  it('a namespaced element built in code gets its xmlns', () => {
    const e = new XElement(XNamespace.get('urn:x').getName('a'));
    e.add(new XElement(XNamespace.get('urn:x').getName('b')));
    assert.equal(e.toString(), '<a xmlns="urn:x">\n  <b />\n</a>');
  });
});

describe('surface', () => {
  it('loads; XDocument has no Load', () => {
    const s = Surface.of();
    assert.ok(s.type('XElement')?.statics.get('Parse'));
    assert.ok(s.type('XNamespace')?.statics.get('op_Addition'));
    assert.equal(s.type('XDocument')?.statics.get('Load'), undefined);
  });
});
