// The json-to-xml and xml-to-json conversions (src/gateway/transform/json-xml.ts), table-driven:
// json-to-xml against Microsoft's json-to-xml reference page and the output API Management documents
// for it; xml-to-json against what Json.NET's XmlNodeConverter (SerializeXmlNode) produces, which API
// Management uses. Liquid's DotLiquid-style filters (set-body reference page) at the end.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ConversionError, encodeLocalName, jsonToXml, netDateText, xmlToJson, xmlToValue, type JsonToXmlOptions } from '../../src/gateway/transform/json-xml.js';
import { parseLiquid, renderLiquid } from '../../src/gateway/transform/liquid.js';
import fc from 'fast-check';
import { parseXml } from '../../src/gateway/expressions/dotnet/xml.js';
import { fuzzParameters, fuzzTimeout } from '../helpers/fuzz.js';

const XSI = 'xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"';

const jsonCases: { name: string; json: unknown; options?: JsonToXmlOptions; xml: string }[] = [
  {
    name: 'several root properties are wrapped in <Document>; arrays repeat; true is True; null is xsi:nil; [] is empty',
    json: { firstName: 'John', isAlive: true, age: 25, address: { city: 'New York' }, phoneNumbers: [{ type: 'home' }, { type: 'mobile' }], children: [], spouse: null },
    xml: `<Document><firstName>John</firstName><isAlive>True</isAlive><age>25</age><address><city>New York</city></address>`
      + `<phoneNumbers><type>home</type></phoneNumbers><phoneNumbers><type>mobile</type></phoneNumbers><children /><spouse xsi:nil="true" ${XSI} /></Document>`,
  },
  {
    name: 'the reference page example: namespace-prefix, namespace-separator ":" and attribute-block-name',
    json: {
      'soapenv:Envelope': {
        'xmlns:soapenv': 'http://schemas.xmlsoap.org/soap/envelope/', 'xmlns:v1': 'http://localdomain.com/core/v1',
        'soapenv:Header': {}, 'soapenv:Body': { 'v1:QueryList': { '#attrs': { queryName: 'test' }, 'v1:QueryItem': { name: 'dummy text' } } },
      },
    },
    options: { parseDate: false, namespaceSeparator: ':', namespacePrefix: 'xmlns', attributeBlockName: '#attrs' },
    xml: '<soapenv:Envelope xmlns:soapenv="http://schemas.xmlsoap.org/soap/envelope/" xmlns:v1="http://localdomain.com/core/v1">'
      + '<soapenv:Header /><soapenv:Body><v1:QueryList queryName="test"><v1:QueryItem><name>dummy text</name></v1:QueryItem></v1:QueryList></soapenv:Body></soapenv:Envelope>',
  },
  {
    name: 'one object-valued root property is the root element',
    json: { order: { id: 7, note: 'a < b & c' } },
    xml: '<order><id>7</id><note>a &lt; b &amp; c</note></order>',
  },
  {
    name: 'the default separator "_" splits only declared prefixes; other underscores stay',
    json: { 'p_root': { 'xmlns_p': 'urn:p', first_name: 'x', 'p_child': 'y' } },
    options: { namespacePrefix: 'xmlns' },
    xml: '<p:root xmlns:p="urn:p"><first_name>x</first_name><p:child>y</p:child></p:root>',
  },
  {
    name: 'names that are not XML names are encoded as XmlConvert does',
    json: { a: { '1st': 'x', 'has space': 'y', 'b:c': 'z' } },
    xml: '<a><_x0031_st>x</_x0031_st><has_x0020_space>y</has_x0020_space><b_x003A_c>z</b_x003A_c></a>',
  },
  {
    name: 'parse-date (default): ISO and /Date()/ strings are written as .NET DateTime.ToString() (MM/dd/yyyy HH:mm:ss)',
    json: { d: { iso: '2012-03-21T05:40:00Z', short: '2012-03-21T05:40Z', offset: '2012-03-21T05:40:00+02:00', ms: '/Date(1198908717056)/', plain: '2012-03-21' } },
    xml: '<d><iso>03/21/2012 05:40:00</iso><short>03/21/2012 05:40:00</short><offset>03/21/2012 03:40:00</offset><ms>12/29/2007 06:11:57</ms><plain>2012-03-21</plain></d>',
  },
  {
    name: 'parse-date="false" copies dates',
    json: { d: { iso: '2012-03-21T05:40:00Z' } },
    options: { parseDate: false },
    xml: '<d><iso>2012-03-21T05:40:00Z</iso></d>',
  },
  {
    name: 'an attribute named twice (declaration and attribute block) is written once',
    json: { a: { xmlns: 'urn:1', '#attrs': { xmlns: 'urn:2', k: 'v' } } },
    options: { namespacePrefix: 'xmlns', attributeBlockName: '#attrs' },
    xml: '<a xmlns="urn:1" k="v" />',
  },
  {
    name: 'a top-level array: items inside <Document>',
    json: [1, 'two'],
    xml: '<Document><Item>1</Item><Item>two</Item></Document>',
  },
  {
    name: 'attribute values are escaped; numbers keep their form',
    json: { a: { '@': { x: 'say "hi" & <go>' }, n: 1.5, big: 1e21 } },
    options: { attributeBlockName: '@' },
    xml: '<a x="say &quot;hi&quot; &amp; &lt;go&gt;"><n>1.5</n><big>1E+21</big></a>',
  },
];

for (const c of jsonCases) {
  test(`json-to-xml: ${c.name}`, () => {
    assert.equal(jsonToXml(JSON.stringify(c.json), c.options), c.xml);
  });
}

test('json-to-xml: text that is not JSON is a ConversionError', () => {
  assert.throws(() => jsonToXml('{"a":'), ConversionError);
  assert.throws(() => jsonToXml('<a/>'), ConversionError);
});

const xmlCases: { name: string; xml: string; kind?: 'direct' | 'javascript-friendly'; arrays?: boolean; json: unknown }[] = [
  {
    name: 'direct: the declaration as "?xml", attributes as "@", text as "#text", repeated children as an array',
    xml: '<?xml version="1.0" encoding="utf-8"?><root id="1"><item>a</item><item>b</item><single>c</single><mixed at="x">t</mixed></root>',
    json: { '?xml': { '@version': '1.0', '@encoding': 'utf-8' }, root: { '@id': '1', item: ['a', 'b'], single: 'c', mixed: { '@at': 'x', '#text': 't' } } },
  },
  {
    name: 'direct: <a/> is null, <a></a> is "", whitespace between elements is dropped',
    xml: '<r>\n  <a/>\n  <b></b>\n  <c> </c>\n</r>',
    json: { r: { a: null, b: '', c: '' } },
  },
  {
    name: 'direct: namespaces keep their prefixes and declarations',
    xml: '<s:Envelope xmlns:s="urn:s" xmlns="urn:d"><s:Body><Item s:kind="k">v</Item></s:Body></s:Envelope>',
    json: { 's:Envelope': { '@xmlns:s': 'urn:s', '@xmlns': 'urn:d', 's:Body': { Item: { '@s:kind': 'k', '#text': 'v' } } } },
  },
  {
    name: 'direct: CDATA and mixed content',
    xml: '<r>one<b>x</b>two<![CDATA[<raw>]]></r>',
    json: { r: { '#text': ['one', 'two'], b: 'x', '#cdata-section': '<raw>' } },
  },
  {
    name: 'direct: same-named children that are not adjacent are grouped in order of first appearance',
    xml: '<r><a>1</a><b>2</b><a>3</a></r>',
    json: { r: { a: ['1', '3'], b: '2' } },
  },
  {
    name: 'javascript-friendly: no declaration and no namespace declarations',
    xml: '<?xml version="1.0"?><s:r xmlns:s="urn:s" n="1"><s:a>x</s:a></s:r>',
    kind: 'javascript-friendly',
    json: { 's:r': { '@n': '1', 's:a': 'x' } },
  },
  {
    name: 'always-array-child-elements: every child element as an array',
    xml: '<r><a>1</a><b><c>2</c></b></r>',
    arrays: true,
    json: { r: { a: ['1'], b: [{ c: ['2'] }] } },
  },
];

for (const c of xmlCases) {
  test(`xml-to-json: ${c.name}`, () => {
    assert.deepEqual(JSON.parse(xmlToJson(c.xml, { kind: c.kind ?? 'direct', alwaysArrayChildElements: c.arrays })), c.json);
  });
}

test('xml-to-json: text that is not well-formed XML is a ConversionError', () => {
  assert.throws(() => xmlToJson('<a><b></a>', { kind: 'direct' }), ConversionError);
  assert.throws(() => xmlToJson('{"a":1}', { kind: 'direct' }), ConversionError);
});

test('xml-to-json: xsi:nil elements as set-body\'s xsi-nil says (blank / null)', () => {
  const xml = '<r xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"><a xsi:nil="true"/><b>x</b></r>';
  assert.deepEqual(xmlToValue(xml, { kind: 'javascript-friendly', xsiNil: 'blank' }), { r: { a: '', b: 'x' } });
  assert.deepEqual(xmlToValue(xml, { kind: 'javascript-friendly', xsiNil: 'null' }), { r: { a: null, b: 'x' } });
});

test('names and dates: encodeLocalName and netDateText', () => {
  assert.equal(encodeLocalName('ok-name.1'), 'ok-name.1');
  assert.equal(encodeLocalName('_x0041_'), '_x005F_x0041_');
  assert.equal(encodeLocalName(''), '_');
  assert.equal(netDateText('not a date'), undefined);
  assert.equal(netDateText('2024-02-29T23:59:59.999Z'), '02/29/2024 23:59:59');
});

test('json-to-xml: any JSON (any property names, strings, options) becomes well-formed XML, and xml-to-json reads it back', { timeout: fuzzTimeout() }, () => {
  const options = fc.record({
    parseDate: fc.boolean(), namespaceSeparator: fc.constantFrom(undefined, ':', '_', '.'),
    namespacePrefix: fc.constantFrom(undefined, 'xmlns'), attributeBlockName: fc.constantFrom(undefined, '#attrs', '@'),
  }, { requiredKeys: [] });
  fc.assert(fc.property(fc.jsonValue({ maxDepth: 4 }), options, (value, o) => {
    const xml = jsonToXml(JSON.stringify(value), o);
    parseXml(xml); // throws when not well-formed
    JSON.parse(xmlToJson(xml, { kind: 'direct' }));
  }), fuzzParameters(300));
});

// ---- Liquid, as set-body's reference page configures it ("C# mode": Pascal-cased filters) ----

const liquid = (source: string, body: unknown = {}, context: unknown = {}) => renderLiquid(parseLiquid(source), { body, context });

test('liquid: the page\'s filters by their Pascal-cased names', () => {
  const cases: [string, string, unknown?][] = [
    ['{{ "a" | Append: "b" | Prepend: "0" | Upcase }}', '0AB'],
    ['{{ body.missing | Default: "none" }}|{{ "" | Default: "empty" }}|{{ "x" | Default: "y" }}', 'none|empty|x'],
    ['{{ -3 | Abs }} {{ 1 | AtLeast: 5 }} {{ 9 | AtMost: 5 }} {{ 10 | DividedBy: 4 }} {{ 7 | Modulo: 3 }} {{ 2 | Plus: 3 | Times: 2 | Minus: 1 }}', '3 5 5 2 1 9'],
    ['{{ "hello world" | Capitalize }} {{ "ABC" | Downcase }} {{ "  x  " | Strip }}|{{ "  x" | Lstrip }}|{{ "x  " | Rstrip }}', 'Hello world abc x|x|x'],
    ['{{ "<b>&" | Escape }} {{ "<b>" | H }} {{ "<p>t</p>" | StripHtml }}', '&lt;b&gt;&amp; &lt;b&gt; t'],
    ['{{ "a,b,c" | Split: "," | Join: "-" }} {{ body.list | First }} {{ body.list | Last }} {{ body.list | Size }}', 'a-b-c 3 1 3', { list: [3, 2, 1] }],
    ['{{ body.list | Sort | Join: "" }} {{ body.dups | Uniq | Join: "" }} {{ body.people | Map: "n" | Join: "," }}', '123 ab x,y', { list: [3, 1, 2], dups: ['a', 'b', 'a'], people: [{ n: 'x' }, { n: 'y' }] }],
    ['{{ "banana" | Remove: "a" }} {{ "banana" | RemoveFirst: "a" }} {{ "banana" | Replace: "a", "o" }} {{ "banana" | ReplaceFirst: "a", "o" }}', 'bnn bnana bonono bonana'],
    ['{{ 2.567 | Round: 2 }} {{ "abcdef" | Slice: 1, 3 }} {{ "abcdefghij" | Truncate: 6 }} {{ "one two three" | TruncateWords: 2 }}', '2.57 bcd abc... one two...'],
    ['{{ "a b&c" | UrlEncode }} {{ "a+b%26c" | UrlDecode }} {{ "x\ny" | NewlineToBr }}|{{ "x\ny" | StripNewlines }}', 'a+b%26c a b&c x<br />\ny|xy'],
    ['{{ "say \\"hi\\"\n" | JsonEscape }}', 'say \\"hi\\"\\n'],
    ['{{ body.items | Compact | Size }}', '2', { items: [1, null, 2] }],
    ['{{ 1234.5 | Currency }}', '$1,234.50'],
  ];
  for (const [source, expected, body] of cases) assert.equal(liquid(source, body ?? {}), expected, source);
});

test('liquid: Date takes .NET format strings', () => {
  assert.equal(liquid('{{ body.d | Date: "yyyyMMddTHH:mm:ssZ" }}', { d: '2023-04-05T06:07:08Z' }), '20230405T06:07:08Z');
  assert.equal(liquid('{{ body.d | Date: "dddd, dd MMMM yyyy" }}', { d: '2023-04-05T06:07:08' }), 'Wednesday, 05 April 2023');
  assert.match(liquid('{{ "now" | Date: "yyyy" }}'), /^\d{4}$/);
  assert.equal(liquid('{{ body.d | Date: "yyyy" }}', { d: 'not a date' }), 'not a date');
});

test('liquid: Ruby-style lower-case filters are not DotLiquid\'s (C# mode): the value passes through', () => {
  assert.equal(liquid('{{ "abc" | upcase }}'), 'abc');
});

test('liquid: nothing reaches files or prototypes', () => {
  assert.throws(() => parseLiquid('{% include "/etc/passwd" %}'));
  assert.throws(() => parseLiquid('{% render "x" %}'));
  assert.equal(liquid('{{ body.constructor }}{{ body.__proto__ }}{{ context.toString }}', { a: 1 }, { x: 1 }), '');
});
