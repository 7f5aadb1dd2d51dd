// The policy document reader's pre-pass: expressions found in Azure's syntax (raw quotes, `<`, `&`,
// braces inside strings and comments) with their positions; what follows keeps its line and column.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { scanExpressions, decodeEntities } from '../../src/gateway/policy/expression-scan.js';
import { parseXml, XmlSyntaxError } from '../../src/gateway/policy/xml.js';

const ROWS: [string, string, string][] = [
  ['attribute with raw quotes and &&', '<a x="@(b == "c" && d < 1)"/>', '@(b == "c" && d < 1)'],
  ['entity-escaped', '<a x="@(b == &quot;c&quot; &amp;&amp; d &lt; 1)"/>', '@(b == "c" && d < 1)'],
  ['a ) inside a string', '<a x="@("(a)" + ")")"/>', '@("(a)" + ")")'],
  ['a char literal paren', "<a x=\"@(')' == c)\"/>", "@(')' == c)"],
  ['verbatim string with doubled quotes and a brace', '<v>@{ return @"a""}""b"; }</v>', '@{ return @"a""}""b"; }'],
  ['interpolated string with a hole holding braces and a string', '<v>@($"{(x ? "}" : "{")}{{literal}}")</v>', '@($"{(x ? "}" : "{")}{{literal}}")'],
  ['comments with brackets', '<v>@{ // ) }\n /* } */ return 1; }</v>', '@{ // ) }\n /* } */ return 1; }'],
  ['markup-like text inside a block', '<v>@{ var s = "</v>"; return s; }</v>', '@{ var s = "</v>"; return s; }'],
];

for (const [name, xml, expected] of ROWS) {
  test(`scan: ${name}`, () => {
    const r = scanExpressions(xml);
    assert.deepEqual(r.expressions.map((e) => e.text), [expected]);
    assert.equal(r.xml.length, xml.length, 'the masked document keeps the length');
    const doc = parseXml(xml);
    const value = doc.attrs.x ?? doc.text;
    assert.equal(value, expected);
  });
}

test('positions: the expression\'s own, and every later element where it was', () => {
  const xml = '<policies>\n  <inbound>\n    <set-body>@{\n      return "<a>";\n    }</set-body>\n    <set-header name="x" />\n  </inbound>\n</policies>';
  const doc = parseXml(xml);
  const body = doc.children[0].children[0];
  assert.deepEqual(body.expressions?.['#text'], { line: 3, column: 15 });
  const header = doc.children[0].children[1];
  assert.deepEqual([header.line, header.column], [6, 5]);
});

test('text that only contains an @ later is not an expression; text after an expression is not another', () => {
  assert.deepEqual(scanExpressions('<v>mail me @ x @(y)</v>').expressions, []);
  assert.deepEqual(scanExpressions('<v>@(a) @(b)</v>').expressions.map((e) => e.text), ['@(a)']);
});

test('CDATA and comments are left alone', () => {
  assert.deepEqual(scanExpressions('<!-- @(x " --><v><![CDATA[@(a < b)]]></v>').expressions, []);
  assert.equal(parseXml('<v><![CDATA[@(a < b)]]></v>').text, '@(a < b)');
});

test('an unclosed expression is a syntax error at its @', () => {
  assert.throws(() => parseXml('<a>\n  <b x="@(c.d("e")" />\n</a>'), (e: unknown) => e instanceof XmlSyntaxError && e.line === 2 && e.column === 9 && /not closed/.test(e.message));
});

test('entities decode as the XML parser would', () => {
  assert.equal(decodeEntities('&lt;&gt;&amp;&quot;&apos;&#65;&#x42;&nosuch;'), `<>&"'AB&nosuch;`);
});
