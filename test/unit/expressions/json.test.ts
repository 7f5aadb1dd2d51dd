// Newtonsoft.Json.Linq behaviour, row by row against what .NET prints (Newtonsoft 13 semantics, read from
// its sources and docs: the C# each row models is in `cs`).
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { DotNetException } from '../../../src/gateway/expressions/dotnet/exceptions.js';
import { explicitCast, Formatting, JArray, JObject, JProperty, JToken, JValue, parseJson } from '../../../src/gateway/expressions/dotnet/json.js';
import { selectToken, selectTokens } from '../../../src/gateway/expressions/dotnet/jsonpath.js';
import { convertToken, serialize, tokenToType } from '../../../src/gateway/expressions/surface/json.js';
import { Surface } from '../../../src/gateway/expressions/surface/index.js';
import { t } from '../../../src/gateway/expressions/surface/types.js';

const obj = (s: string) => parseJson(s, 'JObject') as JObject;

describe('JObject.Parse / ToString round trips', () => {
  const rows: { cs: string; input: string; indented: string; none: string }[] = [
    { cs: 'JObject.Parse("{\\"a\\":1.0}").ToString()', input: '{"a":1.0}', indented: '{\n  "a": 1.0\n}', none: '{"a":1.0}' },
    { cs: 'integers stay integers', input: '{"a":1,"b":-0,"c":123456789012345678901}', indented: '{\n  "a": 1,\n  "b": 0,\n  "c": 123456789012345678901\n}', none: '{"a":1,"b":0,"c":123456789012345678901}' },
    { cs: 'floats: R format, always a decimal point or exponent', input: '{"a":1e2,"b":1.50,"c":0.0001,"d":1e-7,"e":1e21}', indented: '{\n  "a": 100.0,\n  "b": 1.5,\n  "c": 0.0001,\n  "d": 1E-07,\n  "e": 1E+21\n}', none: '{"a":100.0,"b":1.5,"c":0.0001,"d":1E-07,"e":1E+21}' },
    { cs: 'nested, empty containers', input: '{"a":[1,[],{}],"b":{"c":{"d":null}}}', indented: '{\n  "a": [\n    1,\n    [],\n    {}\n  ],\n  "b": {\n    "c": {\n      "d": null\n    }\n  }\n}', none: '{"a":[1,[],{}],"b":{"c":{"d":null}}}' },
    { cs: 'escapes: control chars as lowercase \\u, non-ASCII kept, / unescaped', input: '{"s":"a\\u0001\\t\\"\\\\/é\\u2028<>\'"}', indented: '{\n  "s": "a\\u0001\\t\\"\\\\/é\\u2028<>\'"\n}', none: '{"s":"a\\u0001\\t\\"\\\\/é\\u2028<>\'"}' },
    { cs: 'lenient reader: comments, single quotes, unquoted names, trailing commas', input: "{ /* c */ a: 'x', // d\n \"b\": [1,2,], }", indented: '{\n  "a": "x",\n  "b": [\n    1,\n    2\n  ]\n}', none: '{"a":"x","b":[1,2]}' },
    { cs: 'duplicate names: the last value wins, in place', input: '{"a":1,"b":2,"a":3}', indented: '{\n  "a": 3,\n  "b": 2\n}', none: '{"a":3,"b":2}' },
    { cs: '__proto__ is a property name like any other', input: '{"__proto__":{"x":1},"constructor":2}', indented: '{\n  "__proto__": {\n    "x": 1\n  },\n  "constructor": 2\n}', none: '{"__proto__":{"x":1},"constructor":2}' },
    { cs: 'NaN and Infinity literals are floats, written quoted', input: '{"a":NaN,"b":-Infinity}', indented: '{\n  "a": "NaN",\n  "b": "-Infinity"\n}', none: '{"a":"NaN","b":"-Infinity"}' },
  ];
  for (const r of rows) {
    it(r.cs, () => {
      const o = obj(r.input);
      assert.equal(o.toString(), r.indented);
      assert.equal(o.toJson(false), r.none);
    });
  }
});

describe('JsonReaderException messages', () => {
  const rows: { cs: string; input: string; message: string; loading?: 'JObject' | 'JArray' | 'JToken' }[] = [
    { cs: 'JObject.Parse("<html>")', input: '<html>', message: "Unexpected character encountered while parsing value: <. Path '', line 0, position 0." },
    { cs: 'JObject.Parse("{\\"a\\": x}")', input: '{"a": x}', message: "Unexpected character encountered while parsing value: x. Path 'a', line 1, position 6." },
    { cs: 'JObject.Parse("{")', input: '{', message: "Unexpected end of content while loading JObject. Path '', line 1, position 1." },
    { cs: 'JObject.Parse("{\\"a\\":1}x")', input: '{"a":1}x', message: "Additional text encountered after finished reading JSON content: x. Path '', line 1, position 7." },
    { cs: 'JObject.Parse("[1,2]")', input: '[1,2]', message: "Error reading JObject from JsonReader. Current JsonReader item is not an object: StartArray. Path '', line 1, position 1." },
    { cs: 'JArray.Parse("{}")', input: '{}', loading: 'JArray', message: "Error reading JArray from JsonReader. Current JsonReader item is not an array: StartObject. Path '', line 1, position 1." },
    { cs: 'JObject.Parse("")', input: '', message: "Error reading JObject from JsonReader. Path '', line 0, position 0." },
    { cs: 'JObject.Parse("{\\"a\\":\\"abc")', input: '{"a":"abc', message: "Unterminated string. Expected delimiter: \". Path 'a', line 1, position 9." },
    { cs: 'second line', input: '{\n  "a": 1,\n  "b": ?\n}', message: "Unexpected character encountered while parsing value: ?. Path 'b', line 3, position 7." },
    { cs: 'path inside an array', input: '{"a b":{"c":[1,}}', message: "Unexpected character encountered while parsing value: }. Path '['a b'].c[0]', line 1, position 15." },
    { cs: 'bad escape', input: '{"a":"\\q"}', message: "Bad JSON escape sequence: \\q. Path 'a', line 1, position 8." },
  ];
  for (const r of rows) {
    it(r.cs, () => {
      assert.throws(() => parseJson(r.input, r.loading ?? 'JObject'), (e: unknown) => {
        assert.ok(e instanceof DotNetException);
        assert.equal(e.type, 'Newtonsoft.Json.JsonReaderException');
        assert.equal(e.message, r.message);
        return true;
      });
    });
  }
  it('MaxDepth 64', () => {
    assert.throws(() => parseJson('['.repeat(65) + ']'.repeat(65)), /The reader's MaxDepth of 64 has been exceeded\./);
    assert.doesNotThrow(() => parseJson('['.repeat(64) + ']'.repeat(64)));
  });
});

describe('casts, Value<T>, ToString of values', () => {
  const o = obj('{"i":42,"f":2.5,"h":3.5,"s":"12","b":true,"n":null,"t":"text","o":{},"big":3000000000}');
  const rows: { cs: string; got: () => unknown; want: unknown }[] = [
    { cs: '(int)o["i"]', got: () => explicitCast(o.get('i'), 'Int32', false), want: 42 },
    { cs: '(long)o["i"]', got: () => explicitCast(o.get('i'), 'Int64', false), want: 42n },
    { cs: '(int)o["f"] (banker\'s rounding: 2.5 → 2)', got: () => explicitCast(o.get('f'), 'Int32', false), want: 2 },
    { cs: '(int)o["h"] (3.5 → 4)', got: () => explicitCast(o.get('h'), 'Int32', false), want: 4 },
    { cs: '(int)o["s"]', got: () => explicitCast(o.get('s'), 'Int32', false), want: 12 },
    { cs: '(string)o["i"]', got: () => explicitCast(o.get('i'), 'String', true), want: '42' },
    { cs: '(string)o["b"]', got: () => explicitCast(o.get('b'), 'String', true), want: 'True' },
    { cs: '(string)o["n"]', got: () => explicitCast(o.get('n'), 'String', true), want: null },
    { cs: '(string)o["missing"]', got: () => explicitCast(o.get('missing'), 'String', true), want: null },
    { cs: '(int?)o["n"]', got: () => explicitCast(o.get('n'), 'Int32', true), want: null },
    { cs: '(bool)o["b"]', got: () => explicitCast(o.get('b'), 'Boolean', false), want: true },
    { cs: '(double)o["i"]', got: () => explicitCast(o.get('i'), 'Double', false), want: 42 },
    { cs: 'o["t"].ToString()', got: () => o.get('t')?.toString(), want: 'text' },
    { cs: 'o["f"].ToString()', got: () => o.get('f')?.toString(), want: '2.5' },
    { cs: 'o["b"].ToString()', got: () => o.get('b')?.toString(), want: 'True' },
    { cs: 'o["n"].ToString()', got: () => o.get('n')?.toString(), want: '' },
    { cs: 'o["o"].ToString()', got: () => o.get('o')?.toString(), want: '{}' },
    { cs: 'o.Value<string>("i")', got: () => convertToken(o.get('i'), t('String')), want: '42' },
    { cs: 'o.Value<int>("s")', got: () => convertToken(o.get('s'), t('Int32')), want: 12 },
    { cs: 'o.Value<int?>("missing")', got: () => convertToken(o.get('missing'), { name: '?', args: [t('Int32')] }), want: null },
    { cs: 'o["i"].Type.ToString()', got: () => o.get('i')?.type.toString(), want: 'Integer' },
    { cs: 'o["f"].Type.ToString()', got: () => o.get('f')?.type.toString(), want: 'Float' },
  ];
  for (const r of rows) it(r.cs, () => assert.deepEqual(r.got(), r.want));

  const errors: { cs: string; run: () => unknown; type: string; message: string }[] = [
    { cs: '(int)o["o"]', run: () => explicitCast(o.get('o'), 'Int32', false), type: 'System.ArgumentException', message: 'Can not convert Object to Int32.' },
    { cs: '(int)o["n"]', run: () => explicitCast(o.get('n'), 'Int32', false), type: 'System.ArgumentException', message: 'Can not convert Null to Int32.' },
    { cs: '(int)o["big"]', run: () => explicitCast(o.get('big'), 'Int32', false), type: 'System.OverflowException', message: 'Value was either too large or too small for an Int32.' },
    { cs: '(int)o["t"]', run: () => explicitCast(o.get('t'), 'Int32', false), type: 'System.FormatException', message: 'Input string was not in a correct format.' },
    { cs: '(bool)o["t"]', run: () => explicitCast(o.get('t'), 'Boolean', false), type: 'System.FormatException', message: "String 'text' was not recognized as a valid Boolean." },
    { cs: 'o[0]', run: () => o.getItem(0), type: 'System.ArgumentException', message: 'Accessed JObject values with invalid key value: 0. Object property name expected.' },
    { cs: 'o["i"]["x"]', run: () => o.get('i')?.getItem('x'), type: 'System.InvalidOperationException', message: 'Cannot access child value on Newtonsoft.Json.Linq.JValue.' },
    { cs: 'new JArray()["a"]', run: () => new JArray().getItem('a'), type: 'System.ArgumentException', message: 'Accessed JArray values with invalid key value: "a". Int32 array index expected.' },
    { cs: 'o.Add("i", 1)', run: () => o.add('i', JValue.int(1)), type: 'System.ArgumentException', message: 'Can not add property i to Newtonsoft.Json.Linq.JObject. Property with the same name already exists on object.' },
  ];
  for (const r of errors) {
    it(r.cs, () => assert.throws(r.run, (e: unknown) => e instanceof DotNetException && e.type === r.type && e.message === r.message));
  }
});

describe('editing', () => {
  it('indexer set adds or replaces; a token with a parent is copied, not moved', () => {
    const o = obj('{"a":{"x":1}}');
    o.setItem('b', o.get('a'));
    (o.get('b') as JObject).put('x', JValue.int(2));
    assert.equal(o.toJson(false), '{"a":{"x":1},"b":{"x":2}}');
    o.setItem('a', JValue.createString('s'));
    assert.equal(o.toJson(false), '{"a":"s","b":{"x":2}}');
  });
  it('Remove, AddAfterSelf, Replace, paths', () => {
    const o = obj('{"a":[1,2,3],"b":{"c d":true}}');
    (o.get('a') as JArray).items[1].detach();
    (o.get('a') as JArray).items[0].addAfterSelf(9);
    o.property('b')?.addBeforeSelf(new JProperty('z', 'q'));
    assert.equal(o.toJson(false), '{"a":[1,9,3],"z":"q","b":{"c d":true}}');
    assert.equal((o.get('b') as JObject).get('c d')?.path, "b['c d']");
    assert.equal((o.get('a') as JArray).items[2].path, 'a[2]');
    (o.get('a') as JArray).items[2].replace(new JObject());
    assert.equal(o.toJson(false), '{"a":[1,9,{}],"z":"q","b":{"c d":true}}');
    assert.equal(o.remove('z'), true);
    assert.equal(o.remove('z'), false);
  });
  it('JProperty from a sequence makes an array; new JObject(params) takes properties only', () => {
    const o = new JObject();
    o.addContent([new JProperty('n', ['a', 'b']), new JProperty('m', 1.5)]);
    assert.equal(o.toJson(false), '{"n":["a","b"],"m":1.5}');
    assert.throws(() => o.addContent(JValue.int(1)), /Can not add Newtonsoft.Json.Linq.JValue to Newtonsoft.Json.Linq.JObject\./);
  });
  it('foreach over a JObject gives KeyValuePair<string, JToken>', () => {
    const pairs = [...obj('{"a":1,"b":2}') as Iterable<unknown>].map(String);
    assert.deepEqual(pairs, ['[a, 1]', '[b, 2]']);
  });
});

describe('SelectToken', () => {
  const o = obj(`{"store":{"book":[{"title":"A","price":8.95,"tags":["x"]},{"title":"B","price":12.99},{"title":"C","price":8.99,"isbn":"1"}],"bicycle":{"color":"red"}},"a b":{"c":1}}`);
  const rows: { cs: string; path: string; want: string[] }[] = [
    { cs: 'o.SelectToken("store.bicycle.color")', path: 'store.bicycle.color', want: ['red'] },
    { cs: 'o.SelectToken("$.store.book[1].title")', path: '$.store.book[1].title', want: ['B'] },
    { cs: "o.SelectToken(\"$['a b'].c\")", path: "$['a b'].c", want: ['1'] },
    { cs: 'o.SelectTokens("$.store.book[*].title")', path: '$.store.book[*].title', want: ['A', 'B', 'C'] },
    { cs: 'o.SelectTokens("$..title")', path: '$..title', want: ['A', 'B', 'C'] },
    { cs: 'o.SelectTokens("$.store.book[-1:].title")', path: '$.store.book[-1:].title', want: ['C'] },
    { cs: 'o.SelectTokens("$.store.book[0,2].title")', path: '$.store.book[0,2].title', want: ['A', 'C'] },
    { cs: "o.SelectTokens(\"$.store.book[?(@.price < 10)].title\")", path: '$.store.book[?(@.price < 10)].title', want: ['A', 'C'] },
    { cs: "o.SelectTokens(\"$.store.book[?(@.title == 'B' || @.isbn)].price\")", path: "$.store.book[?(@.title == 'B' || @.isbn)].price", want: ['12.99', '8.99'] },
    { cs: 'o.SelectToken("nope.x")', path: 'nope.x', want: [] },
  ];
  for (const r of rows) it(r.cs, () => assert.deepEqual(selectTokens(o, r.path).map(String), r.want));
  it('multiple tokens from SelectToken is a JsonException', () => {
    assert.throws(() => selectToken(o, '$..title'), (e: unknown) => e instanceof DotNetException && e.type === 'Newtonsoft.Json.JsonException' && e.message === 'Path returned multiple tokens.');
  });
  it('errorWhenNoMatch', () => {
    assert.throws(() => selectToken(o, 'store.nope', true), /Property 'nope' does not exist on JObject\./);
  });
});

describe('JsonConvert', () => {
  it('SerializeObject of tokens, values and collections', () => {
    assert.equal(serialize(obj('{"a":[1,2]}'), true), '{\n  "a": [\n    1,\n    2\n  ]\n}');
    assert.equal(serialize('x"y', false), '"x\\"y"');
    assert.equal(serialize(1.5, false), '1.5');
    assert.equal(serialize(null, false), 'null');
    assert.equal(serialize(['a', 1n], false), '["a",1]');
  });
  it('DeserializeObject<T>', () => {
    assert.deepEqual(tokenToType(parseJson('["a","b"]'), { name: '[]', args: [t('String')] }), ['a', 'b']);
    const d = tokenToType(parseJson('{"k":"v"}'), t('Dictionary', t('String'), t('String'))) as Iterable<unknown>;
    assert.deepEqual([...d].map(String), ['[k, v]']);
    assert.ok(tokenToType(parseJson('{"k":1}'), t('JObject')) instanceof JObject);
    assert.throws(() => tokenToType(parseJson('{"k":1}'), t('JArray')), /Cannot cast Newtonsoft.Json.Linq.JObject to Newtonsoft.Json.Linq.JArray\./);
  });
  it('Formatting enum', () => assert.equal(Formatting.member('Indented').toString(), 'Indented'));
});

describe('surface', () => {
  it('loads and finds the JSON members', () => {
    const s = Surface.of();
    const jobject = s.type('JObject');
    assert.ok(jobject);
    assert.ok(jobject.statics.get('Parse'));
    assert.ok(jobject.instance.get('Properties'));
    assert.equal(jobject.indexers.length, 1);
    assert.ok(s.type('JToken')?.statics.get('op_Explicit')?.length);
    assert.ok(s.type('JsonConvert')?.statics.get('SerializeObject'));
    const tryGet = jobject.instance.get('TryGetValue')?.[0];
    assert.ok(tryGet && tryGet.kind === 'method');
    assert.equal(tryGet.params[1].byRef, true);
    assert.equal(tryGet.params[1].isOut, true);
    assert.ok(s.type('JToken')?.is?.(new JObject()));
    assert.ok(!(s.type('JObject')?.is?.(JValue.createNull())));
    assert.ok(JToken);
  });
});
