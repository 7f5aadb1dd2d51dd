// The expression compiler against C# semantics (table-driven), its checker (names and members outside the
// declared surface are compile errors with a position), and its sandbox (escapes refused, runaways stopped).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { BudgetExceeded, DotNetException, ExpressionError, compileExpression } from '../../../src/gateway/expressions/index.js';
import type { GatewayContext } from '../../../src/gateway/runtime/context.js';

/** A request context with what these rows read: method, headers, query, variables. */
function context(): GatewayContext {
  const headers = { 'x-a': 'hello', host: 'gw:8443', accept: ['a', 'b'] };
  return {
    method: 'POST', headers, variables: new Map<string, unknown>([['n', 5], ['s', 'text']]),
    req: { headers, url: '/echo/users/5?x=1&y=2', socket: { remoteAddress: '::ffff:10.1.2.3' } },
    secure: true, queryString: () => 'x=1&y=2', backendBasePath: '', path: '/users/5',
  } as unknown as GatewayContext;
}

const run = (src: string) => compileExpression(src, 'string').run(context());

const ROWS: [string, string][] = [
  // precedence and C# arithmetic
  ['@(1 + 2 * 3)', '7'],
  ['@((1 + 2) * 3)', '9'],
  ['@(7 / 2)', '3'],
  ['@(-7 / 2)', '-3'],
  ['@(-7 % 3)', '-1'],
  ['@(7.0 / 2)', '3.5'],
  ['@(7 / 2.0)', '3.5'],
  ['@(int.MaxValue + 1)', '-2147483648'],
  ['@(long.MaxValue + 1)', '-9223372036854775808'],
  ['@(2147483647L + 1)', '2147483648'],
  ['@(1 << 33)', '2'],
  ['@(5 & 3 | 8)', '9'],
  ['@(10 - 2 - 3)', '5'],
  ['@(1 + 2 + "a")', '3a'],
  ['@("a" + 1 + 2)', 'a12'],
  ["@('a' + 1)", '98'],
  ["@((char)('a' + 1))", 'b'],
  ['@((int)3.99)', '3'],
  ['@((int)-3.99)', '-3'],
  // `?.` binds tighter than binary, unary and cast operators (tree-sitter parses `a + b?.c` as `(a + b)?.c`)
  ['@("S" + "x"?.Length)', 'S1'],
  ['@("S" + ((string)null)?.Length)', 'S'],
  ['@(2 * 3 + "abcd"?.Length)', '10'],
  ['@("a" + "bc"?.Substring(1).ToUpper())', 'aC'],
  ['@("x" + "abc"?.ToCharArray()[1])', 'xb'],
  ['@(("S" + "x")?.Length)', '2'],
  ['@(1 + 2 == "abc"?.Length)', 'True'],
  ['@((long)"abc"?.Length)', '3'],
  // lifted unary operators: null in, null out
  ['@(-"abc"?.Length)', '-3'],
  ['@(-((string)null)?.Length)', ''],
  ['@(!"x"?.StartsWith("x"))', 'False'],
  ['@(~"ab"?.Length)', '-3'],
  ['@(0.1 + 0.2)', '0.30000000000000004'],
  ['@(1e21)', '1E+21'],
  ['@(true && !false)', 'True'],
  ['@(3 > 2 ? "yes" : "no")', 'yes'],
  // strings, null handling
  ['@{ string s = null; return s ?? "dflt"; }', 'dflt'],
  ['@{ string s = null; return "[" + s + "]"; }', '[]'],
  ['@{ string s = null; return s?.Length.ToString() ?? "none"; }', 'none'],
  ['@($"{1 + 1}-{"x"}-{true}")', '2-x-True'],
  ['@($"{{literal}} {42,5}|{42,-5}|")', '{literal}    42|42   |'],
  ['@(@"C:\\path""q""")', 'C:\\path"q"'],
  ['@("tab\\tnew")', 'tab\tnew'],
  ['@(nameof(context))', 'context'],
  ['@(default(int))', '0'],
  // statements
  ['@{ var s = 0; for (var i = 0; i < 10; i++) { if (i == 5) continue; s += i; } return s; }', '40'],
  ['@{ var n = 0; while (true) { n++; if (n > 3) break; } return n; }', '4'],
  ['@{ var n = 0; do { n += 2; } while (n < 7); return n; }', '8'],
  ['@{ switch ("b") { case "a": return 1; case "b": case "c": return 2; default: return 3; } }', '2'],
  ['@{ var arr = new[] { 3, 1, 2 }; var t = 0; foreach (var x in arr) t += x; return t; }', '6'],
  ['@{ int[] a = new int[3]; a[1] = 7; return a[0] + a[1]; }', '7'],
  ['@{ try { throw new InvalidOperationException("x"); } catch (ArgumentException) { return "arg"; } catch (Exception e) { return "any:" + e.Message; } }', 'any:x'],
  ['@{ object o = "s"; if (o is string str) { return str + "!"; } return "no"; }', 's!'],
  ['@{ object o = 5; return o as string ?? "not a string"; }', 'not a string'],
  ['@{ Func<int, int> sq = x => x * x; return sq(7); }', '49'],
  // context
  ['@(context.Request.Method)', 'POST'],
  ['@(context.Request.Headers.GetValueOrDefault("X-A", "none"))', 'hello'],
  ['@(context.Request.Headers.GetValueOrDefault("accept", ""))', 'a,b'],
  ['@(context.Request.Headers.GetValueOrDefault("missing", "none"))', 'none'],
  ['@(context.Request.Url.Query.GetValueOrDefault("y", ""))', '2'],
  ['@(context.Request.OriginalUrl.Path)', '/echo/users/5'],
  ['@(context.Request.IpAddress)', '10.1.2.3'],
  ['@((int)context.Variables["n"] * 2)', '10'],
  ['@(context.Variables.GetValueOrDefault<string>("nope", "d"))', 'd'],
  ['@(context.Variables.ContainsKey("s"))', 'True'],
  ['@(context.Subscription?.Name ?? "no subscription")', 'no subscription'],
  // LINQ and JSON (declared surface)
  ['@(new[] { 1, 2, 3, 4 }.Where(x => x % 2 == 0).Sum())', '6'],
  ['@(string.Join(",", new List<string> { "a", "b" }.Select(s => s.ToUpper())))', 'A,B'],
  ['@(JObject.Parse("{\\"a\\":{\\"b\\":[1,2]}}")["a"]["b"][1].ToString())', '2'],
  ['@(JObject.Parse("{\\"a\\":1,\\"b\\":2,\\"c\\":3}").Properties().Where(p => (int)p.Value > 1).Select(p => p.Name).Aggregate((x, y) => x + "+" + y))', 'b+c'],
  ['@(JArray.Parse("[3,1,2]").Select(t => (int)t).OrderBy(n => n).Last())', '3'],
  ['@{ int Fib(int n) => n < 2 ? n : Fib(n - 1) + Fib(n - 2); return Fib(15); }', '610'],
  ['@((new { typ = "JWT", n = 1 }).ToString())', '{ typ = JWT, n = 1 }'],
  ['@{ Func<int, int> f = x => x; return f; }', 'System.Delegate'],
  ['@(JsonConvert.SerializeObject(new { typ = "JWT", alg = "HS256" }))', '{"typ":"JWT","alg":"HS256"}'],
  ['@(string.Format("{0:D3}-{1:F2}", 7, 3.14159))', '007-3.14'],
  ['@(new DateTime(2024, 2, 29, 13, 5, 0).ToString("yyyy-MM-ddTHH:mm:ss"))', '2024-02-29T13:05:00'],
  ['@(Math.Round(2.5))', '2'],
  ['@(int.Parse("42") + long.Parse("1"))', '43'],
  ['@(Regex.Match("max-age=60", @"max-age=(?<m>\\d+)").Groups["m"].Value)', '60'],
  ['@(Convert.ToBase64String(Encoding.UTF8.GetBytes("hi")))', 'aGk='],
  ['@("Bearer eyJhbGciOiJub25lIn0.eyJzdWIiOiJhbGljZSJ9.".AsJwt()?.Subject)', 'alice'],
  ['@{ using (var r = XmlReader.Create(new StringReader("<a><b>x</b></a>"))) { r.ReadToFollowing("b"); return r.ReadElementContentAsString(); } }', 'x'],
  ['@((string)JObject.Parse("{\\"name\\":\\"x\\"}")["name"])', 'x'],
];

for (const [src, expected] of ROWS) {
  test(`C#: ${src} → ${expected}`, () => assert.equal(run(src), expected));
}

test('a condition must be a bool (checked at compile time)', () => {
  assert.equal(compileExpression('@(context.Request.Method == "POST")', 'bool').run(context()), true);
  assert.throws(() => compileExpression('@(context.Request.Method)', 'bool'), (e: unknown) => e instanceof ExpressionError && /to 'bool'/.test(e.message));
});

const REFUSED: [string, RegExp][] = [
  ['@(context.Request.NoSuchMember)', /'NoSuchMember' is not a member of 'IRequest'/],
  ['@(process.exit())', /The name 'process' does not exist/],
  ['@(globalThis)', /The name 'globalThis' does not exist/],
  ['@("a".constructor)', /'constructor' is not a member of 'string'/],
  ['@(context.GetType())', /'GetType' is not a member/],
  ['@(context.Variables.__proto__)', /'__proto__' is not a member/],
  ['@(System.IO.File.ReadAllText("/etc/passwd"))', /not allowed/],
  ['@(System.Diagnostics.Process.Start("sh"))', /not allowed/],
  ['@(typeof(string))', /typeof/],
  ['@(AppDomain.CurrentDomain)', /does not exist|not allowed/],
  ['@(Environment.GetEnvironmentVariable("PATH"))', /does not exist|not allowed/],
  ['@{ int F(int n) => F(n); return "a".GetType().Name; }', /'GetType' is not a member/],
  ['@(1 +)', /Syntax error|expected/],
  ['@("a" - 1)', /Operator '-' cannot be applied/],
  ['@{ int x = "s"; return x; }', /Cannot implicitly convert type 'string' to 'int'/],
];

for (const [src, message] of REFUSED) {
  test(`refused at compile time: ${src}`, () => {
    assert.throws(() => compileExpression(src, 'string'), (e: unknown) => e instanceof ExpressionError && message.test(e.message) && e.line >= 1 && e.column >= 1);
  });
}

test('an error names its position inside the expression', () => {
  try {
    compileExpression('@{\n  var a = 1;\n  return context.Nope;\n}', 'string');
    assert.fail('accepted');
  } catch (e) {
    assert.ok(e instanceof ExpressionError);
    assert.deepEqual([e.line, e.column], [3, 18]);
  }
});

test('run-time exceptions are .NET exceptions with .NET messages', () => {
  assert.throws(() => run('@{ string s = null; return s.Length; }'), (e: unknown) => e instanceof DotNetException && e.message === 'Object reference not set to an instance of an object.');
  assert.throws(() => run('@{ var z = 0; return 1 / z; }'), (e: unknown) => e instanceof DotNetException && e.type === 'System.DivideByZeroException');
  assert.throws(() => run('@(new int[2][5])'), (e: unknown) => e instanceof DotNetException && e.type === 'System.IndexOutOfRangeException');
  assert.throws(() => run('@((int)context.Variables["s"])'), (e: unknown) => e instanceof DotNetException && e.type === 'System.InvalidCastException');
});

test('a runaway loop is stopped, and a catch cannot swallow the stop', () => {
  assert.throws(() => run('@{ while (true) { } return 1; }'), BudgetExceeded);
  assert.throws(() => run('@{ try { for (;;) { } } catch (Exception) { return "caught"; } return "end"; }'), BudgetExceeded);
  // The next evaluation gets a fresh budget.
  assert.equal(run('@(1 + 1)'), '2');
});

test('a string that doubles without bound is refused, not built', () => {
  assert.throws(() => run('@{ var s = "xxxxxxxxxxxxxxxx"; for (var i = 0; i < 40; i++) { s = s + s; } return s.Length; }'),
    (e: unknown) => e instanceof DotNetException && e.type === 'System.OutOfMemoryException');
});
