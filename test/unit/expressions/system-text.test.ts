// The .NET text and number surface against .NET's documented outputs (invariant culture, .NET Core 3+):
// number formatting and parsing, composite formatting, String/Char, Math, Convert, BitConverter,
// StringBuilder, Encoding, Guid, Uri, WebUtility, Random. Each row keeps its C# for the end-to-end table.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { formatComposite, formatValue } from '../../../src/gateway/expressions/dotnet/composite.js';
import { formatDecimal, formatDouble, formatInteger } from '../../../src/gateway/expressions/dotnet/numfmt.js';
import { EnumValue } from '../../../src/gateway/expressions/dotnet/enums.js';
import { ctor, I, S, surface, table, throwsDotNet, tryOut } from './helpers.js';

const FMT = 'System.FormatException';
const OVF = 'System.OverflowException';
const e = (type: string, member: string) => S(type, member)() as EnumValue;

test('surface: every signature parses and sample members resolve', () => {
  for (const name of ['string', 'char', 'int', 'long', 'double', 'decimal', 'bool', 'byte', 'Math', 'Convert', 'BitConverter',
    'StringBuilder', 'Encoding', 'Guid', 'Uri', 'WebUtility', 'Random', 'DateTime', 'TimeSpan', 'DateTimeOffset', 'Regex', 'Match',
    'HMACSHA256', 'SHA256', 'MD5', 'StringComparison', 'StringSplitOptions', 'RegexOptions', 'MidpointRounding', 'System.Text.StringBuilder']) {
    assert.ok(surface.type(name), name);
  }
  const tryParse = surface.type('int')!.statics.get('TryParse')![0];
  assert.equal(tryParse.kind === 'method' && tryParse.params[1].byRef, true);
  assert.equal(tryParse.kind === 'method' && tryParse.params[1].isOut, true);
  assert.deepEqual(surface.type('string')!.interfaces.map((i) => i.name), ['IEnumerable']);
  // APIM allows only these DateTime/Regex members: no ParseExact on DateTime, no Regex.Escape.
  assert.equal(surface.type('DateTime')!.statics.get('ParseExact'), undefined);
  assert.equal(surface.type('Regex')!.statics.get('Escape'), undefined);
  assert.deepEqual([...surface.type('DateTimeKind')!.statics.keys()].filter((k) => !k.startsWith('op_')), ['Utc']);
});

test('numbers: ToString() of int, long, double and decimal', () => {
  table([
    { cs: '(1+1).ToString()', actual: () => formatInteger(2, null), expected: '2' },
    { cs: '(-2147483648).ToString()', actual: () => formatInteger(-2147483648, null), expected: '-2147483648' },
    { cs: 'long.MaxValue.ToString()', actual: () => formatInteger(9223372036854775807n, null, 64), expected: '9223372036854775807' },
    { cs: '(0.1 + 0.2).ToString()', actual: () => formatDouble(0.1 + 0.2), expected: '0.30000000000000004' },
    { cs: '1e21.ToString()', actual: () => formatDouble(1e21), expected: '1E+21' },
    { cs: '1e15.ToString()', actual: () => formatDouble(1e15), expected: '1E+15' },
    { cs: '1e14.ToString()', actual: () => formatDouble(1e14), expected: '100000000000000' },
    { cs: '0.0000001.ToString()', actual: () => formatDouble(1e-7), expected: '1E-07' },
    { cs: '0.0001.ToString()', actual: () => formatDouble(0.0001), expected: '0.0001' },
    { cs: '(5.0 / 2).ToString()', actual: () => formatDouble(2.5), expected: '2.5' },
    { cs: '(3.0).ToString()', actual: () => formatDouble(3), expected: '3' },
    { cs: 'double.MaxValue.ToString()', actual: () => formatDouble(Number.MAX_VALUE), expected: '1.7976931348623157E+308' },
    { cs: 'double.NaN.ToString()', actual: () => formatDouble(NaN), expected: 'NaN' },
    { cs: 'double.PositiveInfinity.ToString()', actual: () => formatDouble(Infinity), expected: 'Infinity' },
    { cs: 'double.NegativeInfinity.ToString()', actual: () => formatDouble(-Infinity), expected: '-Infinity' },
    { cs: '(-0.0).ToString()', actual: () => formatDouble(-0), expected: '-0' },
    { cs: '0.0000001m.ToString()', actual: () => formatDecimal(1e-7), expected: '0.0000001' },
    { cs: '1.5m.ToString()', actual: () => formatDecimal(1.5), expected: '1.5' },
  ]);
});

test('numbers: standard format strings (docs examples, invariant culture)', () => {
  table([
    { cs: '12345.6789.ToString("C")', actual: () => formatDouble(12345.6789, 'C'), expected: '¤12,345.68' },
    { cs: '(-12345.6789).ToString("C3")', actual: () => formatDouble(-12345.6789, 'C3'), expected: '(¤12,345.679)' },
    { cs: '1234.ToString("D")', actual: () => formatInteger(1234, 'D'), expected: '1234' },
    { cs: '(-1234).ToString("D6")', actual: () => formatInteger(-1234, 'D6'), expected: '-001234' },
    { cs: '1052.0329112756.ToString("E")', actual: () => formatDouble(1052.0329112756, 'E'), expected: '1.052033E+003' },
    { cs: '(-1052.0329112756).ToString("e2")', actual: () => formatDouble(-1052.0329112756, 'e2'), expected: '-1.05e+003' },
    { cs: '1234.567.ToString("F")', actual: () => formatDouble(1234.567, 'F'), expected: '1234.57' },
    { cs: '1234.ToString("F1")', actual: () => formatInteger(1234, 'F1'), expected: '1234.0' },
    { cs: '(-1234.56).ToString("F4")', actual: () => formatDouble(-1234.56, 'F4'), expected: '-1234.5600' },
    { cs: '(-123.456).ToString("G")', actual: () => formatDouble(-123.456, 'G'), expected: '-123.456' },
    { cs: '123.4546.ToString("G4")', actual: () => formatDouble(123.4546, 'G4'), expected: '123.5' },
    { cs: '(-1.234567890e-25).ToString("G")', actual: () => formatDouble(-1.23456789e-25, 'G'), expected: '-1.23456789E-25' },
    { cs: '12345.ToString("G3")', actual: () => formatInteger(12345, 'G3'), expected: '1.23E+04' },
    { cs: '1234.567.ToString("N")', actual: () => formatDouble(1234.567, 'N'), expected: '1,234.57' },
    { cs: '1234.ToString("N1")', actual: () => formatInteger(1234, 'N1'), expected: '1,234.0' },
    { cs: '(-1234.56).ToString("N3")', actual: () => formatDouble(-1234.56, 'N3'), expected: '-1,234.560' },
    { cs: '1.ToString("P")', actual: () => formatInteger(1, 'P'), expected: '100.00 %' },
    { cs: '(-0.39678).ToString("P1")', actual: () => formatDouble(-0.39678, 'P1'), expected: '-39.7 %' },
    { cs: '123456789.12345678.ToString("R")', actual: () => formatDouble(123456789.12345678, 'R'), expected: '123456789.12345678' },
    { cs: '255.ToString("X")', actual: () => formatInteger(255, 'X'), expected: 'FF' },
    { cs: '(-1).ToString("x")', actual: () => formatInteger(-1, 'x'), expected: 'ffffffff' },
    { cs: '255.ToString("x4")', actual: () => formatInteger(255, 'x4'), expected: '00ff' },
    { cs: '(-1L).ToString("X")', actual: () => formatInteger(-1n, 'X', 64), expected: 'FFFFFFFFFFFFFFFF' },
    // .NET Core 3+ rounds the exact binary value, ties to even (dotnet/runtime#1640)
    { cs: '2.5.ToString("F0")', actual: () => formatDouble(2.5, 'F0'), expected: '2' },
    { cs: '3.5.ToString("F0")', actual: () => formatDouble(3.5, 'F0'), expected: '4' },
    { cs: '0.125.ToString("F2")', actual: () => formatDouble(0.125, 'F2'), expected: '0.12' },
    { cs: '2.675.ToString("F2")', actual: () => formatDouble(2.675, 'F2'), expected: '2.67' },
    { cs: '1234.5.ToString("G4")', actual: () => formatDouble(1234.5, 'G4'), expected: '1234' },
    { cs: '12.345.ToString("C")', actual: () => formatDouble(12.345, 'C'), expected: '¤12.35' },
    { cs: '0.925m.ToString("N2")', actual: () => formatDecimal(0.925, 'N2'), expected: '0.93' },
    { cs: '(-0.001).ToString("F2")', actual: () => formatDouble(-0.001, 'F2'), expected: '-0.00' },
  ]);
  throwsDotNet(() => formatDouble(1.5, 'D'), FMT, 'Format specifier was invalid.');
  throwsDotNet(() => formatInteger(1, 'R'), FMT, 'Format specifier was invalid.');
  throwsDotNet(() => formatInteger(1, 'Q'), FMT, 'Format specifier was invalid.');
});

test('numbers: custom format strings', () => {
  table([
    { cs: '123.456.ToString("00000")', actual: () => formatDouble(123.456, '00000'), expected: '00123' },
    { cs: '1.2.ToString("0.00")', actual: () => formatDouble(1.2, '0.00'), expected: '1.20' },
    { cs: '5.ToString("000")', actual: () => formatInteger(5, '000'), expected: '005' },
    { cs: '1234567890.ToString("#,#")', actual: () => formatInteger(1234567890, '#,#'), expected: '1,234,567,890' },
    { cs: '1234567.89.ToString("#,##0.00")', actual: () => formatDouble(1234567.89, '#,##0.00'), expected: '1,234,567.89' },
    { cs: '0.086.ToString("#0.##%")', actual: () => formatDouble(0.086, '#0.##%'), expected: '8.6%' },
    { cs: '86000.ToString("0.###E+0")', actual: () => formatInteger(86000, '0.###E+0'), expected: '8.6E+4' },
    { cs: '1234567890.ToString("#,,,")', actual: () => formatInteger(1234567890, '#,,,'), expected: '1' },
    { cs: '(-1234).ToString("#,##0;(#,##0)")', actual: () => formatInteger(-1234, '#,##0;(#,##0)'), expected: '(1,234)' },
    { cs: '0.ToString("#;-#;zero")', actual: () => formatInteger(0, '#;-#;zero'), expected: 'zero' },
    { cs: '0.5.ToString("0.##")', actual: () => formatDouble(0.5, '0.##'), expected: '0.5' },
    { cs: '(-0.1).ToString("0")', actual: () => formatDouble(-0.1, '0'), expected: '-0' },
    { cs: '(-0.1m).ToString("0")', actual: () => formatDecimal(-0.1, '0'), expected: '0' },
    { cs: '42.ToString("\'#\'0")', actual: () => formatInteger(42, "'#'0"), expected: '#42' },
  ]);
});

test('numbers: Parse and TryParse of int, long, double, decimal, bool', () => {
  const intParse = S('Int32', 'Parse', ['string']);
  table([
    { cs: 'int.Parse(" -42 ")', actual: () => intParse(' -42 '), expected: -42 },
    { cs: 'int.Parse("+7")', actual: () => intParse('+7'), expected: 7 },
    { cs: 'long.Parse("9223372036854775807")', actual: () => S('Int64', 'Parse', ['string'])('9223372036854775807'), expected: 9223372036854775807n },
    { cs: 'double.Parse("1,234.5")', actual: () => S('Double', 'Parse', ['string'])('1,234.5'), expected: 1234.5 },
    { cs: 'double.Parse("1e3")', actual: () => S('Double', 'Parse', ['string'])('1e3'), expected: 1000 },
    { cs: 'double.Parse("-Infinity")', actual: () => S('Double', 'Parse', ['string'])('-Infinity'), expected: -Infinity },
    { cs: 'decimal.Parse("12.50")', actual: () => S('Decimal', 'Parse', ['string'])('12.50'), expected: 12.5 },
    { cs: 'bool.Parse(" TRUE ")', actual: () => S('Boolean', 'Parse', ['string'])(' TRUE '), expected: true },
    { cs: 'int.TryParse("12", out v)', actual: () => tryOut(S('Int32', 'TryParse'), '12'), expected: [true, 12] },
    { cs: 'int.TryParse("12x", out v)', actual: () => tryOut(S('Int32', 'TryParse'), '12x'), expected: [false, 0] },
    { cs: 'int.TryParse(null, out v)', actual: () => tryOut(S('Int32', 'TryParse'), null), expected: [false, 0] },
    { cs: 'long.TryParse("1", out v)', actual: () => tryOut(S('Int64', 'TryParse'), '1'), expected: [true, 1n] },
    { cs: 'double.TryParse("abc", out v)', actual: () => tryOut(S('Double', 'TryParse'), 'abc'), expected: [false, 0] },
    { cs: 'bool.TryParse("yes", out v)', actual: () => tryOut(S('Boolean', 'TryParse'), 'yes'), expected: [false, false] },
    { cs: 'int.MaxValue', actual: () => S('Int32', 'MaxValue')(), expected: 2147483647 },
    { cs: 'byte.MaxValue', actual: () => S('Byte', 'MaxValue')(), expected: 255 },
  ]);
  throwsDotNet(() => intParse('abc'), FMT, 'Input string was not in a correct format.');
  throwsDotNet(() => intParse('1.5'), FMT);
  throwsDotNet(() => intParse('2147483648'), OVF, 'Value was either too large or too small for an Int32.');
  throwsDotNet(() => S('Byte', 'Parse', ['string'])('256'), OVF, 'Value was either too large or too small for an unsigned byte.');
  throwsDotNet(() => intParse(null), 'System.ArgumentNullException', "Value cannot be null. (Parameter 's')");
  throwsDotNet(() => S('Decimal', 'Parse', ['string'])('1e5'), FMT);
  throwsDotNet(() => S('Boolean', 'Parse', ['string'])('yes'), FMT, "String 'yes' was not recognized as a valid Boolean.");
});

test('composite formatting: String.Format, alignment, escapes, errors', () => {
  const fmt1 = S('String', 'Format', ['string', 'object']);
  table([
    { cs: 'string.Format("{0:D3}", 5)', actual: () => fmt1('{0:D3}', 5), expected: '005' },
    { cs: 'string.Format("{1:D3}-{0}", "a", 7)', actual: () => formatComposite('{1:D3}-{0}', ['a', 7]), expected: '007-a' },
    { cs: 'string.Format("[{0,-6}]", "ab")', actual: () => fmt1('[{0,-6}]', 'ab'), expected: '[ab    ]' },
    { cs: 'string.Format("[{0,6}]", "ab")', actual: () => fmt1('[{0,6}]', 'ab'), expected: '[    ab]' },
    { cs: 'string.Format("[{0,8:N1}]", 1234.56)', actual: () => fmt1('[{0,8:N1}]', 1234.56), expected: '[ 1,234.6]' },
    { cs: 'string.Format("{{{0}}}", 1)', actual: () => fmt1('{{{0}}}', 1), expected: '{1}' },
    { cs: 'string.Format("{0} {1}", true, null)', actual: () => formatComposite('{0} {1}', [true, null]), expected: 'True ' },
    { cs: '$"{2.5:F2}"', actual: () => formatValue(2.5, 'F2', 'Double'), expected: '2.50' },
    { cs: '$"{x}" (double 1e21)', actual: () => formatValue(1e21), expected: '1E+21' },
    { cs: '$"{StringComparison.Ordinal}"', actual: () => formatValue(e('StringComparison', 'Ordinal')), expected: 'Ordinal' },
    { cs: '$"{RegexOptions.IgnoreCase | RegexOptions.Multiline}"', actual: () => formatValue(S('RegexOptions', 'op_BitwiseOr')(e('RegexOptions', 'IgnoreCase'), e('RegexOptions', 'Multiline'))), expected: 'IgnoreCase, Multiline' },
  ]);
  throwsDotNet(() => fmt1('{1}', 'a'), FMT, 'Index (zero based) must be greater than or equal to zero and less than the size of the argument list.');
  throwsDotNet(() => fmt1('{0', 'a'), FMT, 'Input string was not in a correct format.');
  throwsDotNet(() => fmt1('}', 'a'), FMT);
  throwsDotNet(() => fmt1('{x}', 'a'), FMT);
});

test('String: instance and static members', () => {
  const ord = e('StringComparison', 'OrdinalIgnoreCase');
  const rem = e('StringSplitOptions', 'RemoveEmptyEntries');
  table([
    { cs: '"Hi There".Length', actual: () => I('String', 'Length')('Hi There'), expected: 8 },
    { cs: '"hello".Substring(1, 3)', actual: () => I('String', 'Substring', ['int', 'int'])('hello', 1, 3), expected: 'ell' },
    { cs: '"a,b,,c".Split(\',\')', actual: () => I('String', 'Split', ['char', 'StringSplitOptions'])('a,b,,c', ',', null), expected: ['a', 'b', '', 'c'] },
    { cs: '"a,b,,c".Split(new[]{\',\'}, StringSplitOptions.RemoveEmptyEntries)', actual: () => I('String', 'Split', ['char[]', 'StringSplitOptions'])('a,b,,c', [','], rem), expected: ['a', 'b', 'c'] },
    { cs: '"a,b,c".Split(\',\', 2)', actual: () => I('String', 'Split', ['char', 'int', 'StringSplitOptions'])('a,b,c', ',', 2, null), expected: ['a', 'b,c'] },
    { cs: '"Bearer xyz".Split(\' \')[1]', actual: () => (I('String', 'Split', ['char[]'])('Bearer xyz', [' ']) as string[])[1], expected: 'xyz' },
    { cs: '"a  b".Split()', actual: () => I('String', 'Split', ['char[]'])('a  b', []), expected: ['a', '', 'b'] },
    { cs: '"a::b".Split("::")', actual: () => I('String', 'Split', ['string', 'StringSplitOptions'])('a::b', '::', null), expected: ['a', 'b'] },
    { cs: '"HeLLo".IndexOf("ll", StringComparison.OrdinalIgnoreCase)', actual: () => I('String', 'IndexOf', ['string', 'StringComparison'])('HeLLo', 'll', ord), expected: 2 },
    { cs: '"abcabc".LastIndexOf("b")', actual: () => I('String', 'LastIndexOf', ['string'])('abcabc', 'b'), expected: 4 },
    { cs: '"abc".StartsWith("AB", StringComparison.OrdinalIgnoreCase)', actual: () => I('String', 'StartsWith', ['string', 'StringComparison'])('abc', 'AB', ord), expected: true },
    { cs: '"  x \\t".Trim()', actual: () => I('String', 'Trim', [])('  x \t'), expected: 'x' },
    { cs: '"--x--".Trim(\'-\')', actual: () => I('String', 'Trim', ['char'])('--x--', '-'), expected: 'x' },
    { cs: '"/a/".TrimEnd(\'/\')', actual: () => I('String', 'TrimEnd', ['char'])('/a/', '/'), expected: '/a' },
    { cs: '"straße".ToUpper()', actual: () => I('String', 'ToUpper', [])('straße'), expected: 'STRAßE' },
    { cs: '"7".PadLeft(3, \'0\')', actual: () => I('String', 'PadLeft', ['int', 'char'])('7', 3, '0'), expected: '007' },
    { cs: '"abc".Insert(1, "X")', actual: () => I('String', 'Insert')('abc', 1, 'X'), expected: 'aXbc' },
    { cs: '"abcdef".Remove(2)', actual: () => I('String', 'Remove', ['int'])('abcdef', 2), expected: 'ab' },
    { cs: '"a-b-c".Replace("-", "")', actual: () => I('String', 'Replace', ['string', 'string'])('a-b-c', '-', ''), expected: 'abc' },
    { cs: '"abc"[1]', actual: () => surface.type('string')!.indexers[0].get.call(null, ...(['abc', 1] as never[])), expected: 'b' },
    { cs: 'string.Join(",", new[]{"a","b"})', actual: () => S('String', 'Join', ['string', 'string[]'])(',', ['a', 'b']), expected: 'a,b' },
    { cs: 'string.Join(", ", new List<int>{1,2})', actual: () => S('String', 'Join', ['string', 'IEnumerable<T>'])(', ', [1, 2]), expected: '1, 2' },
    { cs: 'string.Concat("a", null, "b")', actual: () => S('String', 'Concat', ['string', 'string', 'string'])('a', null, 'b'), expected: 'ab' },
    { cs: 'string.IsNullOrWhiteSpace(" \\t")', actual: () => S('String', 'IsNullOrWhiteSpace')(' \t'), expected: true },
    { cs: 'string.IsNullOrEmpty(null)', actual: () => S('String', 'IsNullOrEmpty')(null), expected: true },
    { cs: 'string.Compare("a", "B", StringComparison.Ordinal) > 0', actual: () => (S('String', 'Compare', ['string', 'string', 'StringComparison'])('a', 'B', e('StringComparison', 'Ordinal')) as number) > 0, expected: true },
    { cs: 'string.Compare("a", "B") < 0', actual: () => (S('String', 'Compare', ['string', 'string'])('a', 'B') as number) < 0, expected: true },
    { cs: 'string.Equals("A", "a", StringComparison.OrdinalIgnoreCase)', actual: () => S('String', 'Equals', ['string', 'string', 'StringComparison'])('A', 'a', ord), expected: true },
    { cs: 'new string(\'-\', 3)', actual: () => ctor('String', ['char', 'int'], '-', 3), expected: '---' },
    { cs: 'char.IsDigit(\'٣\')', actual: () => S('Char', 'IsDigit', ['char'])('٣'), expected: true },
    { cs: 'char.IsLetterOrDigit(\'_\')', actual: () => S('Char', 'IsLetterOrDigit', ['char'])('_'), expected: false },
    { cs: 'char.IsWhiteSpace(\'\\u00a0\')', actual: () => S('Char', 'IsWhiteSpace', ['char'])('\u00a0'), expected: true },
    { cs: 'char.ToUpper(\'é\')', actual: () => S('Char', 'ToUpper', ['char'])('é'), expected: 'É' },
  ]);
  throwsDotNet(() => I('String', 'Substring', ['int', 'int'])('abc', 2, 5), 'System.ArgumentOutOfRangeException', "Index and length must refer to a location within the string. (Parameter 'length')");
  throwsDotNet(() => I('String', 'Substring', ['int'])('abc', 4), 'System.ArgumentOutOfRangeException', "startIndex cannot be larger than length of string. (Parameter 'startIndex')");
  throwsDotNet(() => I('String', 'Replace', ['string', 'string'])('abc', '', 'x'), 'System.ArgumentException', "String cannot be of zero length. (Parameter 'oldValue')");
  throwsDotNet(() => surface.type('string')!.indexers[0].get.call(null, ...(['abc', 3] as never[])), 'System.IndexOutOfRangeException');
});

test('Math: banker\'s rounding by default, MidpointRounding, digits, decimal rounding', () => {
  const round = S('Math', 'Round', ['double']);
  const away = e('MidpointRounding', 'AwayFromZero');
  table([
    { cs: 'Math.Round(2.5)', actual: () => round(2.5), expected: 2 },
    { cs: 'Math.Round(3.5)', actual: () => round(3.5), expected: 4 },
    { cs: 'Math.Round(-2.5)', actual: () => round(-2.5), expected: -2 },
    { cs: 'Math.Round(2.5, MidpointRounding.AwayFromZero)', actual: () => S('Math', 'Round', ['double', 'MidpointRounding'])(2.5, away), expected: 3 },
    { cs: 'Math.Round(3.45, 1)', actual: () => S('Math', 'Round', ['double', 'int'])(3.45, 1), expected: 3.4 },
    { cs: 'Math.Round(3.45, 1, MidpointRounding.AwayFromZero)', actual: () => S('Math', 'Round', ['double', 'int', 'MidpointRounding'])(3.45, 1, away), expected: 3.5 },
    // .NET scales in double arithmetic first: 2.675 × 100 is exactly 267.5, which rounds to even.
    { cs: 'Math.Round(2.675, 2)', actual: () => S('Math', 'Round', ['double', 'int'])(2.675, 2), expected: 2.68 },
    { cs: 'Math.Round(2.345, 2)', actual: () => S('Math', 'Round', ['double', 'int'])(2.345, 2), expected: 2.35 },
    { cs: 'Math.Round(1.125m, 2)', actual: () => S('Math', 'Round', ['decimal', 'int'])(1.125, 2), expected: 1.12 },
    { cs: 'Math.Round(1.125m, 2, MidpointRounding.AwayFromZero)', actual: () => S('Math', 'Round', ['decimal', 'int', 'MidpointRounding'])(1.125, 2, away), expected: 1.13 },
    { cs: 'Math.Round(2.675m, 2)', actual: () => S('Math', 'Round', ['decimal', 'int'])(2.675, 2), expected: 2.68 },
    { cs: 'Math.Floor(-1.5)', actual: () => S('Math', 'Floor', ['double'])(-1.5), expected: -2 },
    { cs: 'Math.Ceiling(1.2)', actual: () => S('Math', 'Ceiling', ['double'])(1.2), expected: 2 },
    { cs: 'Math.Truncate(-1.7)', actual: () => S('Math', 'Truncate', ['double'])(-1.7), expected: -1 },
    { cs: 'Math.Max(3, 7)', actual: () => S('Math', 'Max', ['int', 'int'])(3, 7), expected: 7 },
    { cs: 'Math.Min(3L, 7L)', actual: () => S('Math', 'Min', ['long', 'long'])(3n, 7n), expected: 3n },
    { cs: 'Math.Abs(-5)', actual: () => S('Math', 'Abs', ['int'])(-5), expected: 5 },
    { cs: 'Math.Pow(2, 10)', actual: () => S('Math', 'Pow')(2, 10), expected: 1024 },
    { cs: 'Math.Sign(-3.2)', actual: () => S('Math', 'Sign', ['double'])(-3.2), expected: -1 },
    { cs: 'Math.Log(8, 2)', actual: () => S('Math', 'Log', ['double', 'double'])(8, 2), expected: 3 },
  ]);
  throwsDotNet(() => S('Math', 'Abs', ['int'])(-2147483648), OVF, 'Negating the minimum value of a twos complement number is invalid.');
  throwsDotNet(() => S('Math', 'Round', ['double', 'int'])(1, 16), 'System.ArgumentOutOfRangeException', "Rounding digits must be between 0 and 15, inclusive. (Parameter 'digits')");
  throwsDotNet(() => S('Math', 'Sign', ['double'])(NaN), 'System.ArithmeticException');
});

test('Convert and BitConverter: base64, hex, numeric conversions', () => {
  const hello = new Uint8Array(Buffer.from('Hello'));
  table([
    { cs: 'Convert.ToBase64String(Encoding.UTF8.GetBytes("Hello"))', actual: () => S('Convert', 'ToBase64String', ['byte[]'])(hello), expected: 'SGVsbG8=' },
    { cs: 'Encoding.UTF8.GetString(Convert.FromBase64String("SGVs bG8="))', actual: () => Buffer.from(S('Convert', 'FromBase64String')('SGVs bG8=') as Uint8Array).toString(), expected: 'Hello' },
    { cs: 'Convert.ToHexString(new byte[]{0xAB,0x01})', actual: () => S('Convert', 'ToHexString', ['byte[]'])(Uint8Array.of(0xab, 1)), expected: 'AB01' },
    { cs: 'Convert.FromHexString("ab01")', actual: () => S('Convert', 'FromHexString')('ab01'), expected: Uint8Array.of(0xab, 1) },
    { cs: 'BitConverter.ToString(new byte[]{0xAB,0xCD})', actual: () => S('BitConverter', 'ToString', ['byte[]'])(Uint8Array.of(0xab, 0xcd)), expected: 'AB-CD' },
    { cs: 'BitConverter.ToString(new byte[0])', actual: () => S('BitConverter', 'ToString', ['byte[]'])(new Uint8Array(0)), expected: '' },
    { cs: 'BitConverter.GetBytes(1)', actual: () => S('BitConverter', 'GetBytes', ['int'])(1), expected: Uint8Array.of(1, 0, 0, 0) },
    { cs: 'BitConverter.ToInt32(new byte[]{1,0,0,0}, 0)', actual: () => S('BitConverter', 'ToInt32')(Uint8Array.of(1, 0, 0, 0), 0), expected: 1 },
    { cs: 'Convert.ToInt32(2.5)', actual: () => S('Convert', 'ToInt32', ['double'])(2.5), expected: 2 },
    { cs: 'Convert.ToInt32(3.5)', actual: () => S('Convert', 'ToInt32', ['double'])(3.5), expected: 4 },
    { cs: 'Convert.ToInt32(" 12 ")', actual: () => S('Convert', 'ToInt32', ['string'])(' 12 '), expected: 12 },
    { cs: 'Convert.ToInt32((string)null)', actual: () => S('Convert', 'ToInt32', ['string'])(null), expected: 0 },
    { cs: 'Convert.ToInt32("ff", 16)', actual: () => S('Convert', 'ToInt32', ['string', 'int'])('ff', 16), expected: 255 },
    { cs: 'Convert.ToInt32("FFFFFFFF", 16)', actual: () => S('Convert', 'ToInt32', ['string', 'int'])('FFFFFFFF', 16), expected: -1 },
    { cs: 'Convert.ToString(255, 2)', actual: () => S('Convert', 'ToString', ['int', 'int'])(255, 2), expected: '11111111' },
    { cs: 'Convert.ToString(-1, 16)', actual: () => S('Convert', 'ToString', ['int', 'int'])(-1, 16), expected: 'ffffffff' },
    { cs: 'Convert.ToBoolean("true")', actual: () => S('Convert', 'ToBoolean', ['string'])('true'), expected: true },
    { cs: 'Convert.ToDouble("1.5")', actual: () => S('Convert', 'ToDouble', ['string'])('1.5'), expected: 1.5 },
    { cs: 'Convert.ToInt64(3.5)', actual: () => S('Convert', 'ToInt64', ['double'])(3.5), expected: 4n },
    { cs: 'Convert.ToString(1.5)', actual: () => S('Convert', 'ToString', ['double'])(1.5), expected: '1.5' },
    { cs: 'Convert.ToString(true)', actual: () => S('Convert', 'ToString', ['bool'])(true), expected: 'True' },
  ]);
  const b64 = 'The input is not a valid Base-64 string as it contains a non-base 64 character, more than two padding characters, or an illegal character among the padding characters.';
  throwsDotNet(() => S('Convert', 'FromBase64String')('SGVsbG8'), FMT, b64);
  throwsDotNet(() => S('Convert', 'FromBase64String')('SGV$bG8='), FMT, b64);
  throwsDotNet(() => S('Convert', 'FromBase64String')('S==='), FMT, b64);
  throwsDotNet(() => S('Convert', 'FromBase64String')(null), 'System.ArgumentNullException', "Value cannot be null. (Parameter 's')");
  throwsDotNet(() => S('Convert', 'FromHexString')('abc'), FMT, 'The input is not a valid hex string as its length is not a multiple of 2.');
  throwsDotNet(() => S('Convert', 'ToInt32', ['double'])(3e9), OVF, 'Value was either too large or too small for an Int32.');
  throwsDotNet(() => S('Convert', 'ToByte', ['int'])(256), OVF, 'Value was either too large or too small for an unsigned byte.');
});

test('StringBuilder, Encoding, Guid, Uri, WebUtility, Random', () => {
  const sb = ctor('StringBuilder', []);
  I('StringBuilder', 'Append', ['string'])(sb, 'a');
  I('StringBuilder', 'Append', ['int'])(sb, 5);
  I('StringBuilder', 'AppendFormat', ['string', 'object'])(sb, '[{0:F1}]', 2.25);
  I('StringBuilder', 'AppendLine', ['string'])(sb, '!');
  I('StringBuilder', 'Insert', ['int', 'string'])(sb, 0, '>');
  const guid = S('Guid', 'Parse')('{6F9619FF-8B86-D011-B42D-00CF4FC964FF}');
  const uri = ctor('Uri', ['string'], 'HTTPS://Example.com:443/a/b%20c/d?x=1&y=2#frag');
  table([
    { cs: 'sb.ToString()', actual: () => I('StringBuilder', 'ToString', [])(sb), expected: '>a5[2.2]!\n' },
    { cs: 'sb.Length', actual: () => I('StringBuilder', 'Length')(sb), expected: 10 },
    { cs: 'Encoding.UTF8.GetBytes("é")', actual: () => I('Encoding', 'GetBytes', ['string'])(S('Encoding', 'UTF8')(), 'é'), expected: Uint8Array.of(0xc3, 0xa9) },
    { cs: 'Encoding.ASCII.GetBytes("é")', actual: () => I('Encoding', 'GetBytes', ['string'])(S('Encoding', 'ASCII')(), 'é'), expected: Uint8Array.of(0x3f) },
    { cs: 'Encoding.Unicode.GetBytes("A")', actual: () => I('Encoding', 'GetBytes', ['string'])(S('Encoding', 'Unicode')(), 'A'), expected: Uint8Array.of(0x41, 0) },
    { cs: 'Encoding.UTF8.GetString(new byte[]{0xff})', actual: () => I('Encoding', 'GetString', ['byte[]'])(S('Encoding', 'UTF8')(), Uint8Array.of(0xff)), expected: '\ufffd' },
    { cs: 'Guid.Parse("{6F96…}").ToString()', actual: () => String(guid), expected: '6f9619ff-8b86-d011-b42d-00cf4fc964ff' },
    { cs: 'g.ToString("N")', actual: () => I('Guid', 'ToString', ['string'])(guid, 'N'), expected: '6f9619ff8b86d011b42d00cf4fc964ff' },
    { cs: 'g.ToString("B")', actual: () => I('Guid', 'ToString', ['string'])(guid, 'B'), expected: '{6f9619ff-8b86-d011-b42d-00cf4fc964ff}' },
    { cs: 'g.ToByteArray()[0]', actual: () => (I('Guid', 'ToByteArray')(guid) as Uint8Array)[0], expected: 0xff },
    { cs: 'Guid.Empty.ToString()', actual: () => String(S('Guid', 'Empty')()), expected: '00000000-0000-0000-0000-000000000000' },
    { cs: 'Guid.TryParse("nope", out g)', actual: () => tryOut(S('Guid', 'TryParse'), 'nope')[0], expected: false },
    { cs: 'Guid.NewGuid() != Guid.NewGuid()', actual: () => S('Guid', 'op_Inequality')(S('Guid', 'NewGuid')(), S('Guid', 'NewGuid')()), expected: true },
    { cs: 'uri.AbsoluteUri', actual: () => I('Uri', 'AbsoluteUri')(uri), expected: 'https://example.com/a/b%20c/d?x=1&y=2#frag' },
    { cs: 'uri.Port', actual: () => I('Uri', 'Port')(uri), expected: 443 },
    { cs: 'uri.Host', actual: () => I('Uri', 'Host')(uri), expected: 'example.com' },
    { cs: 'uri.PathAndQuery', actual: () => I('Uri', 'PathAndQuery')(uri), expected: '/a/b%20c/d?x=1&y=2' },
    { cs: 'uri.Segments', actual: () => I('Uri', 'Segments')(uri), expected: ['/', 'a/', 'b%20c/', 'd'] },
    { cs: 'uri.GetLeftPart(UriPartial.Authority)', actual: () => I('Uri', 'GetLeftPart')(uri, S('UriPartial', 'Authority')()), expected: 'https://example.com' },
    { cs: 'Uri.EscapeDataString("a b&c/d~")', actual: () => S('Uri', 'EscapeDataString')('a b&c/d~'), expected: 'a%20b%26c%2Fd~' },
    { cs: 'Uri.UnescapeDataString("a%20b%2F")', actual: () => S('Uri', 'UnescapeDataString')('a%20b%2F'), expected: 'a b/' },
    { cs: 'Uri.IsWellFormedUriString("http://x/a", UriKind.Absolute)', actual: () => S('Uri', 'IsWellFormedUriString')('http://x/a', S('UriKind', 'Absolute')()), expected: true },
    { cs: 'Uri.TryCreate("/rel", UriKind.Absolute, out u)', actual: () => tryOut(S('Uri', 'TryCreate', ['string', 'UriKind', 'Uri']), '/rel', S('UriKind', 'Absolute')()), expected: [false, null] },
    { cs: 'WebUtility.UrlEncode("a b&c=d/é")', actual: () => S('WebUtility', 'UrlEncode')('a b&c=d/é'), expected: 'a+b%26c%3Dd%2F%C3%A9' },
    { cs: 'WebUtility.UrlDecode("a+b%26")', actual: () => S('WebUtility', 'UrlDecode')('a+b%26'), expected: 'a b&' },
    { cs: 'WebUtility.HtmlEncode("<a href=\'x\'>&</a>")', actual: () => S('WebUtility', 'HtmlEncode')("<a href='x'>&</a>"), expected: '&lt;a href=&#39;x&#39;&gt;&amp;&lt;/a&gt;' },
    { cs: 'new Random(42).Next()', actual: () => I('Random', 'Next', [])(ctor('Random', ['int'], 42)), expected: 1434747710 },
  ]);
  throwsDotNet(() => ctor('Uri', ['string'], '/relative'), 'System.UriFormatException', 'Invalid URI: The format of the URI could not be determined.');
  throwsDotNet(() => S('Guid', 'Parse')('xyz'), FMT, 'Unrecognized Guid format.');
});
