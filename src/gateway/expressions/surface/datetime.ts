// System.DateTime (the members API Management allows: constructors, Add*, components, Now/UtcNow/Today,
// Parse, Subtract, ToString, plus operators), DateTimeKind (Utc), DayOfWeek, TimeSpan and DateTimeOffset
// (all members), IFormatProvider (only `null` can be passed: CultureInfo is not allowed in expressions).
import { badDate, parseDate, parseExact, parseTimeSpan, parseTimeSpanOrThrow, type ParsedDate } from '../dotnet/datefmt.js';
import {
  DateTime, DateTimeOffset, daysInMonth, fromUnix, isLeapYear, Kind, TICKS_PER_DAY, TICKS_PER_HOUR, TICKS_PER_MINUTE,
  TICKS_PER_MS, TICKS_PER_SECOND, TimeSpan, UNIX_EPOCH_TICKS, MAX_TICKS,
} from '../dotnet/datetime.js';
import { EnumType, type EnumValue } from '../dotnet/enums.js';
import { argumentError, argumentNull, formatError } from '../dotnet/exceptions.js';
import type { Impl, Ref, TypeSpec } from './define.js';
import { enumSpec, ev } from './enum-spec.js';

export const DATE_TIME_KIND = new EnumType('DateTimeKind', { Unspecified: 0, Utc: 1, Local: 2 });
export const DAY_OF_WEEK = new EnumType('DayOfWeek', { Sunday: 0, Monday: 1, Tuesday: 2, Wednesday: 3, Thursday: 4, Friday: 5, Saturday: 6 });

type D = DateTime;
type TS = TimeSpan;
type DTO = DateTimeOffset;
type N = number;

const kindOf = (k: EnumValue): Kind => {
  const v = ev(k);
  if (v < 0 || v > 2) throw argumentError('Invalid DateTimeKind value.', 'kind');
  return v as Kind;
};
const todayTicks = () => DateTime.now().ticks;

/** Comparison and equality operators of a type with a compare(o) method. */
function comparisons<V extends { compare(o: V): number }>(name: string): Record<string, Impl> {
  return {
    [`op_Equality(${name} left, ${name} right): bool`]: (a: V, b: V) => a.compare(b) === 0,
    [`op_Inequality(${name} left, ${name} right): bool`]: (a: V, b: V) => a.compare(b) !== 0,
    [`op_LessThan(${name} left, ${name} right): bool`]: (a: V, b: V) => a.compare(b) < 0,
    [`op_GreaterThan(${name} left, ${name} right): bool`]: (a: V, b: V) => a.compare(b) > 0,
    [`op_LessThanOrEqual(${name} left, ${name} right): bool`]: (a: V, b: V) => a.compare(b) <= 0,
    [`op_GreaterThanOrEqual(${name} left, ${name} right): bool`]: (a: V, b: V) => a.compare(b) >= 0,
  };
}

/** A parsed text as a DateTime: with a zone it is converted to local time (UTC here), Kind Local. */
function toDateTime(p: ParsedDate): DateTime {
  if (p.offset === null) return new DateTime(p.ticks, Kind.Unspecified);
  const utc = p.ticks - BigInt(p.offset) * TICKS_PER_MINUTE;
  if (utc < 0n || utc > MAX_TICKS) throw argumentError('The UTC representation of the date falls outside the year range 1-9999.');
  return new DateTime(utc, Kind.Local);
}
const toOffset = (p: ParsedDate): DateTimeOffset => new DateTimeOffset(p.ticks, p.offset ?? 0);

function parseOrThrow(s: string | null, param: string): ParsedDate {
  if (s === null) throw argumentNull(param);
  const p = parseDate(s, todayTicks);
  if (!p) throw badDate(s);
  return p;
}
function parseExactOrThrow(s: string | null, formats: readonly (string | null)[] | null): ParsedDate {
  if (s === null) throw argumentNull('input');
  if (formats === null) throw argumentNull('formats');
  for (const f of formats) {
    if (f === null) throw argumentNull('format');
    if (f === '') throw formatError('Format specifier was invalid.');
    const p = parseExact(s, f, todayTicks);
    if (p) return p;
  }
  throw badDate(s);
}

const c = comparisons<DateTime>('DateTime');

const dateTimeSpec: TypeSpec = {
  name: 'DateTime', namespace: 'System', struct: true,
  is: (v) => v instanceof DateTime,
  ctors: {
    '(long ticks)': (t: bigint) => new DateTime(t),
    '(long ticks, DateTimeKind kind)': (t: bigint, k: EnumValue) => new DateTime(t, kindOf(k)),
    '(int year, int month, int day)': (y: N, m: N, d: N) => DateTime.of(y, m, d),
    '(int year, int month, int day, int hour, int minute, int second)': (y: N, m: N, d: N, h: N, mi: N, s: N) => DateTime.of(y, m, d, h, mi, s),
    '(int year, int month, int day, int hour, int minute, int second, DateTimeKind kind)': (y: N, m: N, d: N, h: N, mi: N, s: N, k: EnumValue) => DateTime.of(y, m, d, h, mi, s, 0, kindOf(k)),
    '(int year, int month, int day, int hour, int minute, int second, int millisecond)': (y: N, m: N, d: N, h: N, mi: N, s: N, ms: N) => DateTime.of(y, m, d, h, mi, s, ms),
    '(int year, int month, int day, int hour, int minute, int second, int millisecond, DateTimeKind kind)': (y: N, m: N, d: N, h: N, mi: N, s: N, ms: N, k: EnumValue) => DateTime.of(y, m, d, h, mi, s, ms, kindOf(k)),
  },
  instance: {
    'Date: DateTime': (d: D) => d.date,
    'Day: int': (d: D) => d.parts.day,
    'DayOfWeek: DayOfWeek': (d: D) => DAY_OF_WEEK.of(d.parts.dayOfWeek),
    'DayOfYear: int': (d: D) => d.parts.dayOfYear,
    'Hour: int': (d: D) => d.parts.hour,
    'Millisecond: int': (d: D) => d.parts.ms,
    'Minute: int': (d: D) => d.parts.minute,
    'Month: int': (d: D) => d.parts.month,
    'Second: int': (d: D) => d.parts.second,
    'Year: int': (d: D) => d.parts.year,
    'Ticks: long': (d: D) => d.ticks,
    'TimeOfDay: TimeSpan': (d: D) => d.timeOfDay,
    'Add(TimeSpan value): DateTime': (d: D, t: TS) => d.addTicks(t.ticks),
    'AddDays(double value): DateTime': (d: D, v: N) => d.addUnits(v, 3652059, TICKS_PER_DAY),
    'AddHours(double value): DateTime': (d: D, v: N) => d.addUnits(v, 87649416, TICKS_PER_HOUR),
    'AddMinutes(double value): DateTime': (d: D, v: N) => d.addUnits(v, 5258964960, TICKS_PER_MINUTE),
    'AddSeconds(double value): DateTime': (d: D, v: N) => d.addUnits(v, 315537897600, TICKS_PER_SECOND),
    'AddMilliseconds(double value): DateTime': (d: D, v: N) => d.addUnits(v, 315537897600000, TICKS_PER_MS),
    'AddTicks(long value): DateTime': (d: D, v: bigint) => d.addTicks(v),
    'AddMonths(int months): DateTime': (d: D, v: N) => d.addMonths(v),
    'AddYears(int value): DateTime': (d: D, v: N) => d.addYears(v),
    'Subtract(DateTime value): TimeSpan': (d: D, o: D) => new TimeSpan(d.ticks - o.ticks),
    'Subtract(TimeSpan value): DateTime': (d: D, t: TS) => d.addTicks(-t.ticks),
    'IsDaylightSavingTime(): bool': () => false,
    'ToString(): string': (d: D) => d.toString(),
    'ToString(string format): string': (d: D, f: string | null) => d.toStringFormat(f),
    'ToString(string format, IFormatProvider provider): string': (d: D, f: string | null) => d.toStringFormat(f),
    'Equals(object value): bool': (d: D, o: unknown) => d.equals(o),
  },
  statics: {
    'Now: DateTime': () => DateTime.now(),
    'UtcNow: DateTime': () => DateTime.utcNow(),
    'Today: DateTime': () => DateTime.now().date,
    'MaxValue: DateTime': () => new DateTime(MAX_TICKS),
    'MinValue: DateTime': () => new DateTime(0n),
    'DaysInMonth(int year, int month): int': daysInMonth,
    'IsLeapYear(int year): bool': isLeapYear,
    'Parse(string s): DateTime': (s: string | null) => toDateTime(parseOrThrow(s, 's')),
    'Parse(string s, IFormatProvider provider): DateTime': (s: string | null) => toDateTime(parseOrThrow(s, 's')),
    'op_Addition(DateTime d, TimeSpan t): DateTime': (d: D, t: TS) => d.addTicks(t.ticks, 't'),
    'op_Subtraction(DateTime d, TimeSpan t): DateTime': (d: D, t: TS) => d.addTicks(-t.ticks, 't'),
    'op_Subtraction(DateTime d1, DateTime d2): TimeSpan': (a: D, b: D) => new TimeSpan(a.ticks - b.ticks),
    ...c,
  },
};

const ts = comparisons<TimeSpan>('TimeSpan');
const cmpTicks = (a: TS, b: TS) => a.compare(b);

const timeSpanSpec: TypeSpec = {
  name: 'TimeSpan', namespace: 'System', struct: true,
  is: (v) => v instanceof TimeSpan,
  ctors: {
    '(long ticks)': (t: bigint) => new TimeSpan(t),
    '(int hours, int minutes, int seconds)': (h: N, m: N, s: N) => TimeSpan.fromParts(0, h, m, s),
    '(int days, int hours, int minutes, int seconds)': (d: N, h: N, m: N, s: N) => TimeSpan.fromParts(d, h, m, s),
    '(int days, int hours, int minutes, int seconds, int milliseconds)': (d: N, h: N, m: N, s: N, ms: N) => TimeSpan.fromParts(d, h, m, s, ms),
  },
  instance: {
    'Days: int': (t: TS) => t.days,
    'Hours: int': (t: TS) => t.hours,
    'Minutes: int': (t: TS) => t.minutes,
    'Seconds: int': (t: TS) => t.seconds,
    'Milliseconds: int': (t: TS) => t.milliseconds,
    'Ticks: long': (t: TS) => t.ticks,
    'TotalDays: double': (t: TS) => t.total(TICKS_PER_DAY),
    'TotalHours: double': (t: TS) => t.total(TICKS_PER_HOUR),
    'TotalMinutes: double': (t: TS) => t.total(TICKS_PER_MINUTE),
    'TotalSeconds: double': (t: TS) => t.total(TICKS_PER_SECOND),
    'TotalMilliseconds: double': (t: TS) => t.total(TICKS_PER_MS),
    'Add(TimeSpan ts): TimeSpan': (a: TS, b: TS) => a.add(b),
    'Subtract(TimeSpan ts): TimeSpan': (a: TS, b: TS) => a.subtract(b),
    'Negate(): TimeSpan': (a: TS) => a.negate(),
    'Duration(): TimeSpan': (a: TS) => a.duration(),
    'Multiply(double factor): TimeSpan': (a: TS, f: N) => a.multiply(f),
    'Divide(double divisor): TimeSpan': (a: TS, f: N) => a.divide(f),
    'Divide(TimeSpan ts): double': (a: TS, b: TS) => Number(a.ticks) / Number(b.ticks),
    'CompareTo(TimeSpan value): int': cmpTicks,
    'CompareTo(object value): int': (a: TS, o: unknown) => {
      if (o === null) return 1;
      if (!(o instanceof TimeSpan)) throw argumentError('Object must be of type TimeSpan.');
      return cmpTicks(a, o);
    },
    'Equals(TimeSpan obj): bool': (a: TS, b: TS) => a.equals(b),
    'Equals(object value): bool': (a: TS, b: unknown) => a.equals(b),
    'ToString(): string': (a: TS) => a.toString(),
    'ToString(string format): string': (a: TS, f: string | null) => a.toStringFormat(f),
    'ToString(string format, IFormatProvider formatProvider): string': (a: TS, f: string | null) => a.toStringFormat(f),
  },
  statics: {
    'Zero: TimeSpan': () => new TimeSpan(0n),
    'MaxValue: TimeSpan': () => new TimeSpan((1n << 63n) - 1n),
    'MinValue: TimeSpan': () => new TimeSpan(-(1n << 63n)),
    'TicksPerDay: long': () => TICKS_PER_DAY,
    'TicksPerHour: long': () => TICKS_PER_HOUR,
    'TicksPerMinute: long': () => TICKS_PER_MINUTE,
    'TicksPerSecond: long': () => TICKS_PER_SECOND,
    'TicksPerMillisecond: long': () => TICKS_PER_MS,
    'FromDays(double value): TimeSpan': (v: N) => TimeSpan.fromUnits(v, TICKS_PER_DAY),
    'FromHours(double value): TimeSpan': (v: N) => TimeSpan.fromUnits(v, TICKS_PER_HOUR),
    'FromMinutes(double value): TimeSpan': (v: N) => TimeSpan.fromUnits(v, TICKS_PER_MINUTE),
    'FromSeconds(double value): TimeSpan': (v: N) => TimeSpan.fromUnits(v, TICKS_PER_SECOND),
    'FromMilliseconds(double value): TimeSpan': (v: N) => TimeSpan.fromUnits(v, TICKS_PER_MS),
    'FromTicks(long value): TimeSpan': (v: bigint) => new TimeSpan(v),
    'Parse(string s): TimeSpan': (s: string | null) => {
      if (s === null) throw argumentNull('input');
      return new TimeSpan(parseTimeSpanOrThrow(s));
    },
    'TryParse(string s, out TimeSpan result): bool': (s: string | null, r: Ref<TS>) => {
      const p = s === null ? null : parseTimeSpan(s);
      const ok = typeof p === 'bigint';
      r.value = new TimeSpan(ok ? p : 0n);
      return ok;
    },
    'Compare(TimeSpan t1, TimeSpan t2): int': cmpTicks,
    'op_Addition(TimeSpan t1, TimeSpan t2): TimeSpan': (a: TS, b: TS) => a.add(b),
    'op_Subtraction(TimeSpan t1, TimeSpan t2): TimeSpan': (a: TS, b: TS) => a.subtract(b),
    'op_UnaryNegation(TimeSpan t): TimeSpan': (a: TS) => a.negate(),
    'op_UnaryPlus(TimeSpan t): TimeSpan': (a: TS) => a,
    'op_Multiply(TimeSpan timeSpan, double factor): TimeSpan': (a: TS, f: N) => a.multiply(f),
    'op_Multiply(double factor, TimeSpan timeSpan): TimeSpan': (f: N, a: TS) => a.multiply(f),
    'op_Division(TimeSpan timeSpan, double divisor): TimeSpan': (a: TS, f: N) => a.divide(f),
    'op_Division(TimeSpan t1, TimeSpan t2): double': (a: TS, b: TS) => Number(a.ticks) / Number(b.ticks),
    ...ts,
  },
};

const o = comparisons<DateTimeOffset>('DateTimeOffset');
const offsetMinutes = (t: TS): number => {
  if (t.ticks % TICKS_PER_MINUTE !== 0n) throw argumentError('Offset must be specified in whole minutes.', 'offset');
  return Number(t.ticks / TICKS_PER_MINUTE);
};

const dateTimeOffsetSpec: TypeSpec = {
  name: 'DateTimeOffset', namespace: 'System', struct: true,
  is: (v) => v instanceof DateTimeOffset,
  ctors: {
    '(DateTime dateTime)': (d: D) => DateTimeOffset.fromDateTime(d),
    '(DateTime dateTime, TimeSpan offset)': (d: D, t: TS) => {
      if (d.kind === Kind.Utc && t.ticks !== 0n) throw argumentError('The UTC Offset for Utc DateTime instances must be 0.', 'offset');
      return new DateTimeOffset(d.ticks, offsetMinutes(t));
    },
    '(long ticks, TimeSpan offset)': (t: bigint, off: TS) => new DateTimeOffset(t, offsetMinutes(off)),
    '(int year, int month, int day, int hour, int minute, int second, TimeSpan offset)': (y: N, m: N, d: N, h: N, mi: N, s: N, off: TS) =>
      new DateTimeOffset(DateTime.of(y, m, d, h, mi, s).ticks, offsetMinutes(off)),
    '(int year, int month, int day, int hour, int minute, int second, int millisecond, TimeSpan offset)': (y: N, m: N, d: N, h: N, mi: N, s: N, ms: N, off: TS) =>
      new DateTimeOffset(DateTime.of(y, m, d, h, mi, s, ms).ticks, offsetMinutes(off)),
  },
  instance: {
    'Date: DateTime': (d: DTO) => d.dateTime.date,
    'DateTime: DateTime': (d: DTO) => d.dateTime,
    'UtcDateTime: DateTime': (d: DTO) => d.utcDateTime,
    'LocalDateTime: DateTime': (d: DTO) => d.localDateTime,
    'Offset: TimeSpan': (d: DTO) => d.offset,
    'Day: int': (d: DTO) => d.dateTime.parts.day,
    'DayOfWeek: DayOfWeek': (d: DTO) => DAY_OF_WEEK.of(d.dateTime.parts.dayOfWeek),
    'DayOfYear: int': (d: DTO) => d.dateTime.parts.dayOfYear,
    'Hour: int': (d: DTO) => d.dateTime.parts.hour,
    'Millisecond: int': (d: DTO) => d.dateTime.parts.ms,
    'Minute: int': (d: DTO) => d.dateTime.parts.minute,
    'Month: int': (d: DTO) => d.dateTime.parts.month,
    'Second: int': (d: DTO) => d.dateTime.parts.second,
    'Year: int': (d: DTO) => d.dateTime.parts.year,
    'Ticks: long': (d: DTO) => d.clockTicks,
    'UtcTicks: long': (d: DTO) => d.utcTicks,
    'TimeOfDay: TimeSpan': (d: DTO) => d.dateTime.timeOfDay,
    'Add(TimeSpan timeSpan): DateTimeOffset': (d: DTO, t: TS) => d.withClock((x) => x.addTicks(t.ticks)),
    'AddDays(double days): DateTimeOffset': (d: DTO, v: N) => d.withClock((x) => x.addUnits(v, 3652059, TICKS_PER_DAY)),
    'AddHours(double hours): DateTimeOffset': (d: DTO, v: N) => d.withClock((x) => x.addUnits(v, 87649416, TICKS_PER_HOUR)),
    'AddMinutes(double minutes): DateTimeOffset': (d: DTO, v: N) => d.withClock((x) => x.addUnits(v, 5258964960, TICKS_PER_MINUTE)),
    'AddSeconds(double seconds): DateTimeOffset': (d: DTO, v: N) => d.withClock((x) => x.addUnits(v, 315537897600, TICKS_PER_SECOND)),
    'AddMilliseconds(double milliseconds): DateTimeOffset': (d: DTO, v: N) => d.withClock((x) => x.addUnits(v, 315537897600000, TICKS_PER_MS)),
    'AddTicks(long ticks): DateTimeOffset': (d: DTO, v: bigint) => d.withClock((x) => x.addTicks(v)),
    'AddMonths(int months): DateTimeOffset': (d: DTO, v: N) => d.withClock((x) => x.addMonths(v)),
    'AddYears(int years): DateTimeOffset': (d: DTO, v: N) => d.withClock((x) => x.addYears(v)),
    'Subtract(DateTimeOffset value): TimeSpan': (a: DTO, b: DTO) => new TimeSpan(a.utcTicks - b.utcTicks),
    'Subtract(TimeSpan value): DateTimeOffset': (d: DTO, t: TS) => d.withClock((x) => x.addTicks(-t.ticks)),
    'ToUnixTimeSeconds(): long': (d: DTO) => d.unixSeconds(),
    'ToUnixTimeMilliseconds(): long': (d: DTO) => d.unixMs(),
    'ToUniversalTime(): DateTimeOffset': (d: DTO) => d.toOffset(0),
    'ToLocalTime(): DateTimeOffset': (d: DTO) => d.toOffset(0),
    'ToOffset(TimeSpan offset): DateTimeOffset': (d: DTO, t: TS) => d.toOffset(offsetMinutes(t)),
    'CompareTo(DateTimeOffset other): int': (a: DTO, b: DTO) => a.compare(b),
    'Equals(DateTimeOffset other): bool': (a: DTO, b: DTO) => a.equals(b),
    'Equals(object obj): bool': (a: DTO, b: unknown) => a.equals(b),
    'EqualsExact(DateTimeOffset other): bool': (a: DTO, b: DTO) => a.clockTicks === b.clockTicks && a.offsetMinutes === b.offsetMinutes,
    'ToString(): string': (d: DTO) => d.toString(),
    'ToString(string format): string': (d: DTO, f: string | null) => d.toStringFormat(f),
    'ToString(string format, IFormatProvider formatProvider): string': (d: DTO, f: string | null) => d.toStringFormat(f),
  },
  statics: {
    'Now: DateTimeOffset': () => DateTimeOffset.fromUtc(DateTime.utcNow().ticks, 0),
    'UtcNow: DateTimeOffset': () => DateTimeOffset.fromUtc(DateTime.utcNow().ticks, 0),
    'MaxValue: DateTimeOffset': () => new DateTimeOffset(MAX_TICKS, 0),
    'MinValue: DateTimeOffset': () => new DateTimeOffset(0n, 0),
    'UnixEpoch: DateTimeOffset': () => new DateTimeOffset(UNIX_EPOCH_TICKS, 0),
    'FromUnixTimeSeconds(long seconds): DateTimeOffset': (v: bigint) => fromUnix(v, TICKS_PER_SECOND, 253402300799n, 'seconds'),
    'FromUnixTimeMilliseconds(long milliseconds): DateTimeOffset': (v: bigint) => fromUnix(v, TICKS_PER_MS, 253402300799999n, 'milliseconds'),
    'Parse(string input): DateTimeOffset': (s: string | null) => toOffset(parseOrThrow(s, 'input')),
    'Parse(string input, IFormatProvider formatProvider): DateTimeOffset': (s: string | null) => toOffset(parseOrThrow(s, 'input')),
    'TryParse(string input, out DateTimeOffset result): bool': (s: string | null, r: Ref<DTO>) => {
      const p = s === null ? null : parseDate(s, todayTicks);
      r.value = p ? toOffset(p) : new DateTimeOffset(0n, 0);
      return !!p;
    },
    'ParseExact(string input, string format, IFormatProvider formatProvider): DateTimeOffset': (s: string | null, f: string | null) => toOffset(parseExactOrThrow(s, [f])),
    'ParseExact(string input, string[] formats, IFormatProvider formatProvider): DateTimeOffset': (s: string | null, f: (string | null)[] | null) => toOffset(parseExactOrThrow(s, f)),
    'TryParseExact(string input, string format, IFormatProvider formatProvider, out DateTimeOffset result): bool': (s: string | null, f: string | null, _p: unknown, r: Ref<DTO>) => {
      try { r.value = toOffset(parseExactOrThrow(s, [f])); return true; } catch { r.value = new DateTimeOffset(0n, 0); return false; }
    },
    'Compare(DateTimeOffset first, DateTimeOffset second): int': (a: DTO, b: DTO) => a.compare(b),
    'op_Implicit(DateTime dateTime): DateTimeOffset': (d: D) => DateTimeOffset.fromDateTime(d),
    'op_Addition(DateTimeOffset dateTimeOffset, TimeSpan timeSpan): DateTimeOffset': (d: DTO, t: TS) => d.withClock((x) => x.addTicks(t.ticks)),
    'op_Subtraction(DateTimeOffset dateTimeOffset, TimeSpan timeSpan): DateTimeOffset': (d: DTO, t: TS) => d.withClock((x) => x.addTicks(-t.ticks)),
    'op_Subtraction(DateTimeOffset left, DateTimeOffset right): TimeSpan': (a: DTO, b: DTO) => new TimeSpan(a.utcTicks - b.utcTicks),
    ...o,
  },
};

export const datetime: TypeSpec[] = [
  dateTimeSpec, timeSpanSpec, dateTimeOffsetSpec,
  enumSpec(DATE_TIME_KIND, 'System', ['Utc']), enumSpec(DAY_OF_WEEK, 'System'),
  { name: 'IFormatProvider', namespace: 'System', is: () => false },
];

