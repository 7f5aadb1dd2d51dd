// DateTime/DateTimeOffset/TimeSpan formats, parsing and arithmetic; Regex translation and semantics;
// hashes and HMACs (RFC 4231 vectors). Expected outputs are .NET's (invariant culture).
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { clock } from '../../../src/gateway/expressions/dotnet/datetime.js';
import { translate } from '../../../src/gateway/expressions/dotnet/regex.js';
import type { MatchImpl } from '../../../src/gateway/expressions/dotnet/regex.js';
import { ctor, I, S, surface, table, throwsDotNet, tryOut } from './helpers.js';

const e = (type: string, member: string) => S(type, member)();
const dt = (...a: number[]) => ctor('DateTime', ['int', 'int', 'int', 'int', 'int', 'int'].slice(0, a.length), ...a);
const ts = (...a: number[]) => ctor('TimeSpan', ['int', 'int', 'int', 'int', 'int'].slice(5 - a.length === 2 ? 1 : 0, (5 - a.length === 2 ? 1 : 0) + a.length), ...a);
const str = (v: unknown) => String(v);
const fmt = (type: string) => (v: unknown, f: string) => I(type, 'ToString', ['string'])(v, f);

const realNow = clock.nowMs;
clock.nowMs = () => Date.UTC(2024, 4, 17, 8, 9, 10, 123);
after(() => { clock.nowMs = realNow; });

test('DateTime: ToString() and standard formats (invariant culture)', () => {
  const d = dt(2009, 6, 15, 13, 45, 30);
  const f = fmt('DateTime');
  table([
    { cs: 'new DateTime(2009,6,15,13,45,30).ToString()', actual: () => str(d), expected: '06/15/2009 13:45:30' },
    { cs: 'd.ToString("d")', actual: () => f(d, 'd'), expected: '06/15/2009' },
    { cs: 'd.ToString("D")', actual: () => f(d, 'D'), expected: 'Monday, 15 June 2009' },
    { cs: 'd.ToString("f")', actual: () => f(d, 'f'), expected: 'Monday, 15 June 2009 13:45' },
    { cs: 'd.ToString("F")', actual: () => f(d, 'F'), expected: 'Monday, 15 June 2009 13:45:30' },
    { cs: 'd.ToString("g")', actual: () => f(d, 'g'), expected: '06/15/2009 13:45' },
    { cs: 'd.ToString("M")', actual: () => f(d, 'M'), expected: 'June 15' },
    { cs: 'd.ToString("o")', actual: () => f(d, 'o'), expected: '2009-06-15T13:45:30.0000000' },
    { cs: 'd.ToString("R")', actual: () => f(d, 'R'), expected: 'Mon, 15 Jun 2009 13:45:30 GMT' },
    { cs: 'd.ToString("s")', actual: () => f(d, 's'), expected: '2009-06-15T13:45:30' },
    { cs: 'd.ToString("t")', actual: () => f(d, 't'), expected: '13:45' },
    { cs: 'd.ToString("T")', actual: () => f(d, 'T'), expected: '13:45:30' },
    { cs: 'd.ToString("u")', actual: () => f(d, 'u'), expected: '2009-06-15 13:45:30Z' },
    { cs: 'd.ToString("Y")', actual: () => f(d, 'Y'), expected: '2009 June' },
    { cs: 'DateTime.UtcNow.ToString("o")', actual: () => f(S('DateTime', 'UtcNow')(), 'o'), expected: '2024-05-17T08:09:10.1230000Z' },
    { cs: 'DateTime.Now.ToString("o")', actual: () => f(S('DateTime', 'Now')(), 'o'), expected: '2024-05-17T08:09:10.1230000+00:00' },
    { cs: 'DateTime.Today.ToString()', actual: () => str(S('DateTime', 'Today')()), expected: '05/17/2024 00:00:00' },
  ]);
  throwsDotNet(() => f(d, 'Q'), 'System.FormatException', 'Input string was not in a correct format.');
  throwsDotNet(() => f(d, 'ffffffff'), 'System.FormatException');
});

test('DateTime: custom formats', () => {
  const d = ctor('DateTime', ['int', 'int', 'int', 'int', 'int', 'int', 'int'], 2008, 8, 29, 19, 27, 15, 18);
  const f = fmt('DateTime');
  table([
    { cs: 'd.ToString("yyyy-MM-ddTHH:mm:ss.fffZ")', actual: () => f(d, "yyyy-MM-ddTHH:mm:ss.fff'Z'"), expected: '2008-08-29T19:27:15.018Z' },
    { cs: 'd.ToString("hh:mm:ss tt")', actual: () => f(d, 'hh:mm:ss tt'), expected: '07:27:15 PM' },
    { cs: 'd.ToString("h:m:s")', actual: () => f(d, 'h:m:s'), expected: '7:27:15' },
    { cs: 'd.ToString("ddd, MMM d yy")', actual: () => f(d, 'ddd, MMM d yy'), expected: 'Fri, Aug 29 08' },
    { cs: 'd.ToString("dddd MMMM")', actual: () => f(d, 'dddd MMMM'), expected: 'Friday August' },
    { cs: 'd.ToString("ss.FFFFFFF")', actual: () => f(d, 'ss.FFFFFFF'), expected: '15.018' },
    { cs: 'd.ToString("ss.FFF") at .000', actual: () => f(dt(2008, 8, 29, 19, 27, 15), 'ss.FFF'), expected: '15' },
    { cs: 'd.ToString("%d")', actual: () => f(d, '%d'), expected: '29' },
    { cs: 'd.ToString("\\\\d\\\\a\\\\y d")', actual: () => f(d, '\\d\\a\\y d'), expected: 'day 29' },
    { cs: 'd.ToString("yyyyMMdd")', actual: () => f(d, 'yyyyMMdd'), expected: '20080829' },
    { cs: 'new DateTime(1,1,1).ToString("yyyy")', actual: () => f(dt(1, 1, 1), 'yyyy'), expected: '0001' },
    { cs: 'd.ToString("%K") (Unspecified)', actual: () => f(d, '%K'), expected: '' },
    { cs: 'DateTime.UtcNow.ToString("%K")', actual: () => f(S('DateTime', 'UtcNow')(), '%K'), expected: 'Z' },
    { cs: 'd.ToString("zzz")', actual: () => f(d, 'zzz'), expected: '+00:00' },
  ]);
});

test('DateTime: components, arithmetic, comparisons, range', () => {
  const d = dt(2024, 1, 31, 22, 0, 0);
  table([
    { cs: 'd.AddMonths(1).ToString("d")', actual: () => fmt('DateTime')(I('DateTime', 'AddMonths')(d, 1), 'd'), expected: '02/29/2024' },
    { cs: 'd.AddHours(3).ToString()', actual: () => str(I('DateTime', 'AddHours')(d, 3)), expected: '02/01/2024 01:00:00' },
    { cs: 'd.AddDays(-0.5).ToString()', actual: () => str(I('DateTime', 'AddDays')(d, -0.5)), expected: '01/31/2024 10:00:00' },
    { cs: 'new DateTime(2024,2,29).AddYears(1).Day', actual: () => I('DateTime', 'Day')(I('DateTime', 'AddYears')(dt(2024, 2, 29), 1)), expected: 28 },
    { cs: 'd.DayOfWeek.ToString()', actual: () => str(I('DateTime', 'DayOfWeek')(d)), expected: 'Wednesday' },
    { cs: 'd.DayOfWeek == DayOfWeek.Wednesday', actual: () => I('DateTime', 'DayOfWeek')(d) === e('DayOfWeek', 'Wednesday'), expected: true },
    { cs: 'd.DayOfYear', actual: () => I('DateTime', 'DayOfYear')(d), expected: 31 },
    { cs: 'new DateTime(2000,1,1).Ticks', actual: () => I('DateTime', 'Ticks')(dt(2000, 1, 1)), expected: 630822816000000000n },
    { cs: 'DateTime.MaxValue.Ticks', actual: () => I('DateTime', 'Ticks')(S('DateTime', 'MaxValue')()), expected: 3155378975999999999n },
    { cs: '(new DateTime(2024,3,1) - new DateTime(2024,2,1)).TotalDays', actual: () => I('TimeSpan', 'TotalDays')(S('DateTime', 'op_Subtraction', ['DateTime', 'DateTime'])(dt(2024, 3, 1), dt(2024, 2, 1))), expected: 29 },
    { cs: 'd + TimeSpan.FromMinutes(90)', actual: () => str(S('DateTime', 'op_Addition')(d, S('TimeSpan', 'FromMinutes')(90))), expected: '01/31/2024 23:30:00' },
    { cs: 'd > new DateTime(2024,1,1)', actual: () => S('DateTime', 'op_GreaterThan')(d, dt(2024, 1, 1)), expected: true },
    { cs: 'd == new DateTime(2024,1,31,22,0,0)', actual: () => S('DateTime', 'op_Equality')(d, dt(2024, 1, 31, 22, 0, 0)), expected: true },
    { cs: 'DateTime.DaysInMonth(1900, 2)', actual: () => S('DateTime', 'DaysInMonth')(1900, 2), expected: 28 },
    { cs: 'DateTime.IsLeapYear(2000)', actual: () => S('DateTime', 'IsLeapYear')(2000), expected: true },
  ]);
  throwsDotNet(() => dt(2023, 2, 29), 'System.ArgumentOutOfRangeException', 'Year, Month, and Day parameters describe an un-representable DateTime.');
  throwsDotNet(() => I('DateTime', 'AddYears')(dt(9999, 1, 1), 1), 'System.ArgumentOutOfRangeException');
  throwsDotNet(() => I('DateTime', 'AddTicks')(S('DateTime', 'MaxValue')(), 1n), 'System.ArgumentOutOfRangeException', "The added or subtracted value results in an un-representable DateTime. (Parameter 'value')");
});

test('DateTime.Parse and DateTimeOffset Parse/ParseExact round-trips', () => {
  const parse = S('DateTime', 'Parse', ['string']);
  const o = fmt('DateTime');
  const dto = fmt('DateTimeOffset');
  table([
    { cs: 'DateTime.Parse("2009-06-15T13:45:30").ToString("o")', actual: () => o(parse('2009-06-15T13:45:30'), 'o'), expected: '2009-06-15T13:45:30.0000000' },
    { cs: 'DateTime.Parse("2009-06-15T13:45:30Z").ToString("o")', actual: () => o(parse('2009-06-15T13:45:30Z'), 'o'), expected: '2009-06-15T13:45:30.0000000+00:00' },
    { cs: 'DateTime.Parse("2009-06-15T15:45:30+02:00").ToString("s")', actual: () => o(parse('2009-06-15T15:45:30+02:00'), 's'), expected: '2009-06-15T13:45:30' },
    { cs: 'DateTime.Parse("06/15/2009 13:45:30").ToString("s")', actual: () => o(parse('06/15/2009 13:45:30'), 's'), expected: '2009-06-15T13:45:30' },
    { cs: 'DateTime.Parse("Mon, 15 Jun 2009 13:45:30 GMT").ToString("u")', actual: () => o(parse('Mon, 15 Jun 2009 13:45:30 GMT'), 'u'), expected: '2009-06-15 13:45:30Z' },
    { cs: 'DateTime.Parse("June 15, 2009 1:45 PM").ToString("g")', actual: () => o(parse('June 15, 2009 1:45 PM'), 'g'), expected: '06/15/2009 13:45' },
    { cs: 'DateTime.Parse(d.ToString("o")) round-trip', actual: () => o(parse('2024-05-17T08:09:10.1234567'), 'o'), expected: '2024-05-17T08:09:10.1234567' },
    { cs: 'DateTimeOffset.Parse("2009-06-15T13:45:30-07:00").ToString()', actual: () => str(S('DateTimeOffset', 'Parse', ['string'])('2009-06-15T13:45:30-07:00')), expected: '06/15/2009 13:45:30 -07:00' },
    { cs: 'DateTimeOffset.ParseExact("20090615", "yyyyMMdd", null).ToString("o")', actual: () => dto(S('DateTimeOffset', 'ParseExact', ['string', 'string', 'IFormatProvider'])('20090615', 'yyyyMMdd', null), 'o'), expected: '2009-06-15T00:00:00.0000000+00:00' },
    { cs: 'DateTimeOffset.ParseExact("15/06/2009 01:45 PM +02:00", "dd/MM/yyyy hh:mm tt zzz", null).UtcDateTime.ToString("o")', actual: () => o(I('DateTimeOffset', 'UtcDateTime')(S('DateTimeOffset', 'ParseExact', ['string', 'string', 'IFormatProvider'])('15/06/2009 01:45 PM +02:00', 'dd/MM/yyyy hh:mm tt zzz', null)), 'o'), expected: '2009-06-15T11:45:00.0000000Z' },
    { cs: 'DateTimeOffset.TryParseExact("2009-13-01", "yyyy-MM-dd", null, out r)', actual: () => tryOut(S('DateTimeOffset', 'TryParseExact'), '2009-13-01', 'yyyy-MM-dd', null)[0], expected: false },
    { cs: 'DateTimeOffset.FromUnixTimeSeconds(1000000000).ToString("u")', actual: () => dto(S('DateTimeOffset', 'FromUnixTimeSeconds')(1000000000n), 'u'), expected: '2001-09-09 01:46:40Z' },
    { cs: 'DateTimeOffset.UtcNow.ToUnixTimeMilliseconds()', actual: () => I('DateTimeOffset', 'ToUnixTimeMilliseconds')(S('DateTimeOffset', 'UtcNow')()), expected: 1715933350123n },
    { cs: 'new DateTimeOffset(2008,5,1,8,6,32, new TimeSpan(1,0,0)).ToString("R")', actual: () => dto(ctor('DateTimeOffset', ['int', 'int', 'int', 'int', 'int', 'int', 'TimeSpan'], 2008, 5, 1, 8, 6, 32, ts(1, 0, 0)), 'R'), expected: 'Thu, 01 May 2008 07:06:32 GMT' },
  ]);
  throwsDotNet(() => parse('not a date'), 'System.FormatException', "String 'not a date' was not recognized as a valid DateTime.");
  throwsDotNet(() => parse('2009-02-30'), 'System.FormatException');
  throwsDotNet(() => S('DateTimeOffset', 'ParseExact', ['string', 'string', 'IFormatProvider'])('2009-06-15', 'yyyyMMdd', null), 'System.FormatException');
});

test('TimeSpan: formats, Parse, arithmetic', () => {
  const span = ts(3, 17, 25, 30, 500);
  const f = fmt('TimeSpan');
  const parse = S('TimeSpan', 'Parse');
  table([
    { cs: 'new TimeSpan(3,17,25,30,500).ToString()', actual: () => str(span), expected: '3.17:25:30.5000000' },
    { cs: 'span.ToString("g")', actual: () => f(span, 'g'), expected: '3:17:25:30.5' },
    { cs: 'span.ToString("G")', actual: () => f(span, 'G'), expected: '3:17:25:30.5000000' },
    { cs: 'span.ToString(@"dd\\.hh\\:mm")', actual: () => f(span, 'dd\\.hh\\:mm'), expected: '03.17:25' },
    { cs: 'new TimeSpan(1,2,3).ToString()', actual: () => str(ts(1, 2, 3)), expected: '01:02:03' },
    { cs: 'TimeSpan.FromSeconds(-90).ToString()', actual: () => str(S('TimeSpan', 'FromSeconds')(-90)), expected: '-00:01:30' },
    { cs: 'TimeSpan.FromMilliseconds(1.5).Ticks', actual: () => I('TimeSpan', 'Ticks')(S('TimeSpan', 'FromMilliseconds')(1.5)), expected: 15000n },
    { cs: 'span.TotalHours', actual: () => I('TimeSpan', 'TotalHours')(span), expected: 89.42513888888889 },
    { cs: 'span.Hours', actual: () => I('TimeSpan', 'Hours')(span), expected: 17 },
    { cs: 'TimeSpan.Parse("1:30").TotalMinutes', actual: () => I('TimeSpan', 'TotalMinutes')(parse('1:30')), expected: 90 },
    { cs: 'TimeSpan.Parse("6").Days', actual: () => I('TimeSpan', 'Days')(parse('6')), expected: 6 },
    { cs: 'TimeSpan.Parse("-1.02:03:04.5").ToString()', actual: () => str(parse('-1.02:03:04.5')), expected: '-1.02:03:04.5000000' },
    { cs: 'TimeSpan.TryParse("x", out t)', actual: () => tryOut(S('TimeSpan', 'TryParse'), 'x')[0], expected: false },
    { cs: 'TimeSpan.FromHours(1) + TimeSpan.FromMinutes(1)', actual: () => str(S('TimeSpan', 'op_Addition')(S('TimeSpan', 'FromHours')(1), S('TimeSpan', 'FromMinutes')(1))), expected: '01:01:00' },
    { cs: 'TimeSpan.FromHours(1) > TimeSpan.FromMinutes(59)', actual: () => S('TimeSpan', 'op_GreaterThan')(S('TimeSpan', 'FromHours')(1), S('TimeSpan', 'FromMinutes')(59)), expected: true },
  ]);
  throwsDotNet(() => parse('25:00'), 'System.OverflowException');
  throwsDotNet(() => parse('1:xx'), 'System.FormatException', "String '1:xx' was not recognized as a valid TimeSpan.");
  throwsDotNet(() => S('TimeSpan', 'FromDays')(NaN), 'System.ArgumentException', 'TimeSpan does not accept floating point Not-a-Number values.');
  throwsDotNet(() => f(span, 'hh:mm'), 'System.FormatException');
});

test('Regex: .NET patterns on the JS engine', () => {
  const m = (input: string, pattern: string, opts = 0) => S('Regex', 'Match', ['string', 'string', 'RegexOptions'])(input, pattern, S('RegexOptions', 'op_Explicit', ['int'])(opts)) as MatchImpl;
  const group = (x: MatchImpl, k: number | string) => (typeof k === 'number' ? x.groups.byNumber(k) : x.groups.byKey(k)).value;
  table([
    { cs: 'Regex.Match("public, max-age=3600", @"max-age=(?<maxAge>\\d+)").Groups["maxAge"].Value', actual: () => group(m('public, max-age=3600', String.raw`max-age=(?<maxAge>\d+)`), 'maxAge'), expected: '3600' },
    { cs: 'named groups numbered after unnamed: Groups[1]', actual: () => group(m('2024-05', String.raw`(?<y>\d{4})-(\d{2})`), 1), expected: '05' },
    { cs: "(?'name'...) syntax", actual: () => group(m('ab', "(?'x'b)"), 'x'), expected: 'b' },
    { cs: 'Regex.IsMatch("a\\n", "a$")', actual: () => S('Regex', 'IsMatch', ['string', 'string'])('a\n', 'a$'), expected: true },
    { cs: 'Regex.IsMatch("a\\nb", "a.b")', actual: () => S('Regex', 'IsMatch', ['string', 'string'])('a\nb', 'a.b'), expected: false },
    { cs: 'Regex.IsMatch("a\\nb", "a.b", RegexOptions.Singleline)', actual: () => m('a\nb', 'a.b', 16).success, expected: true },
    { cs: 'Regex.IsMatch("x\\nb", "^b", RegexOptions.Multiline)', actual: () => m('x\nb', '^b', 2).success, expected: true },
    { cs: 'Regex.IsMatch("x\\nb", "^b")', actual: () => m('x\nb', '^b').success, expected: false },
    { cs: 'Regex.IsMatch("ABC", "abc", RegexOptions.IgnoreCase)', actual: () => m('ABC', 'abc', 1).success, expected: true },
    { cs: 'Regex.IsMatch("ABC", "(?i)abc")', actual: () => m('ABC', '(?i)abc').success, expected: true },
    { cs: 'Regex.IsMatch("ab", " a b # c", RegexOptions.IgnorePatternWhitespace)', actual: () => m('ab', ' a b # c', 32).success, expected: true },
    { cs: 'Regex.IsMatch("٣", @"^\\d$")', actual: () => m('٣', String.raw`^\d$`).success, expected: true },
    { cs: 'Regex.IsMatch("é", @"^\\w$")', actual: () => m('é', String.raw`^\w$`).success, expected: true },
    { cs: 'Regex.IsMatch("ab\\n", @"\\Aab\\Z")', actual: () => m('ab\n', String.raw`\Aab\Z`).success, expected: true },
    { cs: 'Regex.IsMatch("ab\\n", @"\\Aab\\z")', actual: () => m('ab\n', String.raw`\Aab\z`).success, expected: false },
    { cs: 'Regex.Replace("hello world", @"(\\w+) (\\w+)", "$2 $1")', actual: () => S('Regex', 'Replace', ['string', 'string', 'string'])('hello world', String.raw`(\w+) (\w+)`, '$2 $1'), expected: 'world hello' },
    { cs: 'Regex.Replace("a1b2", @"(?<d>\\d)", "[${d}]")', actual: () => S('Regex', 'Replace', ['string', 'string', 'string'])('a1b2', String.raw`(?<d>\d)`, '[${d}]'), expected: 'a[1]b[2]' },
    { cs: 'Regex.Replace("ab", "b", "$$-$&-$0")', actual: () => S('Regex', 'Replace', ['string', 'string', 'string'])('ab', 'b', '$$-$&-$0'), expected: 'a$-b-b' },
    { cs: 'Regex.Replace("a1b22", @"\\d+", m => (int.Parse(m.Value) * 2).ToString())', actual: () => S('Regex', 'Replace', ['string', 'string', 'Func<Match, string>'])('a1b22', String.raw`\d+`, (x: MatchImpl) => String(Number(x.value) * 2)), expected: 'a2b44' },
    { cs: 'Regex.Split("a-b-c", "-")', actual: () => S('Regex', 'Split', ['string', 'string'])('a-b-c', '-'), expected: ['a', 'b', 'c'] },
    { cs: 'Regex.Split("a-b", "(-)")', actual: () => S('Regex', 'Split', ['string', 'string'])('a-b', '(-)'), expected: ['a', '-', 'b'] },
    { cs: 'Regex.Matches("a1b22c333", @"\\d+").Count', actual: () => I('MatchCollection', 'Count')(S('Regex', 'Matches', ['string', 'string'])('a1b22c333', String.raw`\d+`)), expected: 3 },
    { cs: 'new Regex(@"\\d+").Match("x42").Index', actual: () => I('Capture', 'Index')(I('Regex', 'Match', ['string'])(ctor('Regex', ['string'], String.raw`\d+`), 'x42')), expected: 1 },
    { cs: 'Regex.Match("abc", "z").Success', actual: () => m('abc', 'z').success, expected: false },
    { cs: 'Regex.Match("abc", "(x)?c").Groups[1].Success', actual: () => m('abc', '(x)?c').groups.byNumber(1).success, expected: false },
    { cs: 'Regex.Match("ab", "(?<n>b)").Result("<${n}>")', actual: () => I('Match', 'Result')(m('ab', '(?<n>b)'), '<${n}>'), expected: '<b>' },
    { cs: 'Regex.Unescape(@"a\\tb\\x41\\u0042\\.")', actual: () => S('Regex', 'Unescape')(String.raw`a\tb\x41\u0042\.`), expected: 'a\tbAB.' },
    { cs: 'Regex.IsMatch("xyy", @"(?<n>x)(y)\\2"): \\2 is the named group', actual: () => m('xyy', String.raw`(?<n>x)(y)\2`).success, expected: false },
    { cs: 'backreference \\1 to the unnamed group', actual: () => m('xyy', String.raw`(?<n>x)(y)\1`).success, expected: true },
    { cs: '\\k<n>', actual: () => m('xx', String.raw`(?<n>x)\k<n>`).success, expected: true },
    { cs: 'literal braces "a{b}" and "{"', actual: () => m('a{b}', 'a{b}').success, expected: true },
  ]);
  assert.equal(translate(String.raw`\d`, 256).source, String.raw`\d`);
  throwsDotNet(() => m('a', '(?>a)'), 'System.ArgumentException');
  throwsDotNet(() => m('a', String.raw`\Ga`), 'System.ArgumentException');
  throwsDotNet(() => m('a', '[a-z-[aeiou]]'), 'System.ArgumentException');
  throwsDotNet(() => m('a', 'a(?i)b'), 'System.ArgumentException');
  throwsDotNet(() => m('a', '(a'), 'System.ArgumentException', "Invalid pattern '(a' at offset 2. Not enough )'s.");
  throwsDotNet(() => m('a', String.raw`\q`), 'System.ArgumentException', String.raw`Invalid pattern '\q' at offset 2. Unrecognized escape sequence \q.`);
  throwsDotNet(() => m('x'.repeat((1 << 20) + 1), 'x'), 'System.Text.RegularExpressions.RegexMatchTimeoutException');
});

test('cryptography: RFC 4231 HMAC vectors, hashes', () => {
  const hex = (b: unknown) => Buffer.from(b as Uint8Array).toString('hex');
  const bytes = (s: string) => new Uint8Array(Buffer.from(s));
  const jefe = bytes('Jefe');
  const msg = bytes('what do ya want for nothing?');
  const key1 = new Uint8Array(20).fill(0x0b);
  table([
    { cs: 'new HMACSHA256(Encoding.UTF8.GetBytes("Jefe")).ComputeHash(...)', actual: () => hex(I('HashAlgorithm', 'ComputeHash', ['byte[]'])(ctor('HMACSHA256', ['byte[]'], jefe), msg)), expected: '5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843' },
    { cs: 'new HMACSHA512(jefe).ComputeHash(msg)', actual: () => hex(I('HashAlgorithm', 'ComputeHash', ['byte[]'])(ctor('HMACSHA512', ['byte[]'], jefe), msg)), expected: '164b7a7bfcf819e2e395fbe73b56e0a387bd64222e831fd610270cd7ea2505549758bf75c05a994a6d034f65f8f0e6fdcaeab1a34d4a6b4b636e070a38bce737' },
    { cs: 'new HMACSHA384(jefe).ComputeHash(msg)', actual: () => hex(I('HashAlgorithm', 'ComputeHash', ['byte[]'])(ctor('HMACSHA384', ['byte[]'], jefe), msg)), expected: 'af45d2e376484031617f78d2b58a6b1b9c7ef464f5a01b47e42ec3736322445e8e2240ca5e69e2c78b3239ecfab21649' },
    { cs: 'HMACSHA256.HashData(key1, "Hi There")', actual: () => hex(S('HMACSHA256', 'HashData')(key1, bytes('Hi There'))), expected: 'b0344c61d8db38535ca8afceaf0bf12b881dc200c9833da726e9376c2e32cff7' },
    { cs: 'SHA256.Create().ComputeHash(Encoding.UTF8.GetBytes("abc"))', actual: () => hex(I('HashAlgorithm', 'ComputeHash', ['byte[]'])(S('SHA256', 'Create')(), bytes('abc'))), expected: 'ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad' },
    { cs: 'new SHA1Managed().ComputeHash("abc")', actual: () => hex(I('HashAlgorithm', 'ComputeHash', ['byte[]'])(ctor('SHA1Managed', []), bytes('abc'))), expected: 'a9993e364706816aba3e25717850c26c9cd0d89d' },
    { cs: 'MD5.Create().ComputeHash("")', actual: () => hex(I('HashAlgorithm', 'ComputeHash', ['byte[]'])(S('MD5', 'Create')(), new Uint8Array(0))), expected: 'd41d8cd98f00b204e9800998ecf8427e' },
    { cs: 'new HMACSHA256().Key.Length', actual: () => (I('KeyedHashAlgorithm', 'Key')(ctor('HMACSHA256', [])) as Uint8Array).length, expected: 64 },
    { cs: 'SHA512.Create().HashSize', actual: () => I('HashAlgorithm', 'HashSize')(S('SHA512', 'Create')()), expected: 512 },
  ]);
  assert.ok(surface.type('HMACSHA256')!.base?.name === 'HMAC');
  throwsDotNet(() => I('HashAlgorithm', 'ComputeHash', ['byte[]'])(S('SHA256', 'Create')(), null), 'System.ArgumentNullException', "Value cannot be null. (Parameter 'buffer')");
});
