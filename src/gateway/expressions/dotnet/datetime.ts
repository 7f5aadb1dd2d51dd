// System.DateTime, DateTimeOffset and TimeSpan: 100-nanosecond ticks (bigint) over years 0001–9999, the
// proleptic Gregorian calendar, .NET's range checks and messages. API Management runs in UTC, so the
// local time zone here is UTC: Now is UtcNow with Kind Local, local offsets are +00:00.
import { argumentError, argumentOutOfRange, DotNetException, overflow } from './exceptions.js';
import type { Formattable } from './composite.js';
import { formatDate, formatTimeSpan } from './datefmt.js';

export const TICKS_PER_MS = 10_000n;
export const TICKS_PER_SECOND = 10_000_000n;
export const TICKS_PER_MINUTE = 600_000_000n;
export const TICKS_PER_HOUR = 36_000_000_000n;
export const TICKS_PER_DAY = 864_000_000_000n;
export const MAX_TICKS = 3_155_378_975_999_999_999n;
export const UNIX_EPOCH_TICKS = 621_355_968_000_000_000n;
const LONG_MAX = (1n << 63n) - 1n, LONG_MIN = -(1n << 63n);

export const enum Kind { Unspecified = 0, Utc = 1, Local = 2 }

/** The wall clock; tests may replace it. */
export const clock = { nowMs: (): number => Date.now() };

const DAYS_365 = [0, 31, 59, 90, 120, 151, 181, 212, 243, 273, 304, 334, 365];
const DAYS_366 = [0, 31, 60, 91, 121, 152, 182, 213, 244, 274, 305, 335, 366];

export const isLeapYear = (y: number): boolean => {
  if (!Number.isInteger(y) || y < 1 || y > 9999) throw argumentOutOfRange('year', 'Year must be between 1 and 9999.');
  return y % 4 === 0 && (y % 100 !== 0 || y % 400 === 0);
};

export function daysInMonth(year: number, month: number): number {
  if (!Number.isInteger(month) || month < 1 || month > 12) throw argumentOutOfRange('month', 'Month must be between one and twelve.');
  const t = isLeapYear(year) ? DAYS_366 : DAYS_365;
  return t[month] - t[month - 1];
}

const unrepresentableDate = () => new DotNetException('System.ArgumentOutOfRangeException', 'Year, Month, and Day parameters describe an un-representable DateTime.');
const unrepresentableTime = () => new DotNetException('System.ArgumentOutOfRangeException', 'Hour, Minute, and Second parameters describe an un-representable DateTime.');
export const unrepresentableAdd = (param = 'value') => argumentOutOfRange(param, 'The added or subtracted value results in an un-representable DateTime.');

export function dateToTicks(y: number, m: number, d: number): bigint {
  if (![y, m, d].every(Number.isInteger) || y < 1 || y > 9999 || m < 1 || m > 12) throw unrepresentableDate();
  const t = isLeapYear(y) ? DAYS_366 : DAYS_365;
  if (d < 1 || d > t[m] - t[m - 1]) throw unrepresentableDate();
  const n = y - 1;
  const days = n * 365 + Math.floor(n / 4) - Math.floor(n / 100) + Math.floor(n / 400) + t[m - 1] + d - 1;
  return BigInt(days) * TICKS_PER_DAY;
}

export function timeToTicks(h: number, mi: number, s: number): bigint {
  if (![h, mi, s].every(Number.isInteger) || h < 0 || h > 23 || mi < 0 || mi > 59 || s < 0 || s > 59) throw unrepresentableTime();
  return BigInt(h * 3600 + mi * 60 + s) * TICKS_PER_SECOND;
}

export interface DateParts { year: number; month: number; day: number; dayOfYear: number; hour: number; minute: number; second: number; ms: number; fraction: number; dayOfWeek: number }

export function partsOf(ticks: bigint): DateParts {
  let n = Number(ticks / TICKS_PER_DAY);
  const dayOfWeek = (n + 1) % 7;
  const tod = Number(ticks % TICKS_PER_DAY);
  const y400 = Math.floor(n / 146097); n -= y400 * 146097;
  let y100 = Math.floor(n / 36524); if (y100 === 4) y100 = 3; n -= y100 * 36524;
  const y4 = Math.floor(n / 1461); n -= y4 * 1461;
  let y1 = Math.floor(n / 365); if (y1 === 4) y1 = 3; n -= y1 * 365;
  const year = y400 * 400 + y100 * 100 + y4 * 4 + y1 + 1;
  const leap = y1 === 3 && (y4 !== 24 || y100 === 3);
  const t = leap ? DAYS_366 : DAYS_365;
  let month = 1;
  while (n >= t[month]) month++;
  const seconds = Math.floor(tod / 1e7);
  return {
    year, month, day: n - t[month - 1] + 1, dayOfYear: n + 1, dayOfWeek,
    hour: Math.floor(seconds / 3600), minute: Math.floor(seconds / 60) % 60, second: seconds % 60,
    ms: Math.floor(tod / 1e4) % 1000, fraction: tod % 1e7,
  };
}

// ---- TimeSpan ----------------------------------------------------------------------------------

const timeSpanTooLong = () => overflow('TimeSpan overflowed because the duration is too long.');

export class TimeSpan implements Formattable {
  readonly dotNetType = 'System.TimeSpan';
  constructor(readonly ticks: bigint) {
    if (ticks > LONG_MAX || ticks < LONG_MIN) throw timeSpanTooLong();
  }
  static fromParts(days: number, hours: number, minutes: number, seconds: number, ms = 0): TimeSpan {
    const total = BigInt(days) * TICKS_PER_DAY + BigInt(hours) * TICKS_PER_HOUR + BigInt(minutes) * TICKS_PER_MINUTE
      + BigInt(seconds) * TICKS_PER_SECOND + BigInt(ms) * TICKS_PER_MS;
    if (total > LONG_MAX || total < LONG_MIN) throw new DotNetException('System.ArgumentOutOfRangeException', 'TimeSpan overflowed because the duration is too long.');
    return new TimeSpan(total);
  }
  /** FromDays/FromHours…(double): value × ticks per unit, truncated (.NET Core 3+; NaN is refused). */
  static fromUnits(value: number, ticksPerUnit: bigint): TimeSpan {
    if (Number.isNaN(value)) throw argumentError('TimeSpan does not accept floating point Not-a-Number values.');
    const t = value * Number(ticksPerUnit);
    if (t >= 2 ** 63 || t < -(2 ** 63)) throw timeSpanTooLong();
    return new TimeSpan(BigInt(Math.trunc(t)));
  }
  get days(): number { return Number(this.ticks / TICKS_PER_DAY); }
  get hours(): number { return Number((this.ticks / TICKS_PER_HOUR) % 24n); }
  get minutes(): number { return Number((this.ticks / TICKS_PER_MINUTE) % 60n); }
  get seconds(): number { return Number((this.ticks / TICKS_PER_SECOND) % 60n); }
  get milliseconds(): number { return Number((this.ticks / TICKS_PER_MS) % 1000n); }
  total(per: bigint): number { return Number(this.ticks) / Number(per); }
  add(o: TimeSpan): TimeSpan { return checked(this.ticks + o.ticks); }
  subtract(o: TimeSpan): TimeSpan { return checked(this.ticks - o.ticks); }
  negate(): TimeSpan {
    if (this.ticks === LONG_MIN) throw overflow('Negating the minimum value of a twos complement number is invalid.');
    return new TimeSpan(-this.ticks);
  }
  duration(): TimeSpan {
    if (this.ticks === LONG_MIN) throw overflow('The duration cannot be returned for TimeSpan.MinValue because the absolute value of TimeSpan.MinValue exceeds the value of TimeSpan.MaxValue.');
    return new TimeSpan(this.ticks < 0n ? -this.ticks : this.ticks);
  }
  multiply(f: number): TimeSpan {
    if (Number.isNaN(f)) throw argumentError('TimeSpan does not accept floating point Not-a-Number values.', 'factor');
    return TimeSpan.fromUnits(Number(this.ticks) * f, 1n);
  }
  divide(d: number): TimeSpan {
    if (Number.isNaN(d)) throw argumentError('TimeSpan does not accept floating point Not-a-Number values.', 'divisor');
    return TimeSpan.fromUnits(Number(this.ticks) / d, 1n);
  }
  compare(o: TimeSpan): number { return this.ticks < o.ticks ? -1 : this.ticks > o.ticks ? 1 : 0; }
  equals(o: unknown): boolean { return o instanceof TimeSpan && o.ticks === this.ticks; }
  toString(): string { return formatTimeSpan(this.ticks, null); }
  toStringFormat(format: string | null): string { return formatTimeSpan(this.ticks, format); }
}

function checked(t: bigint): TimeSpan {
  if (t > LONG_MAX || t < LONG_MIN) throw timeSpanTooLong();
  return new TimeSpan(t);
}

// ---- DateTime ----------------------------------------------------------------------------------

export class DateTime implements Formattable {
  readonly dotNetType = 'System.DateTime';
  constructor(readonly ticks: bigint, readonly kind: Kind = Kind.Unspecified) {
    if (ticks < 0n || ticks > MAX_TICKS) throw argumentOutOfRange('ticks', 'Ticks must be between DateTime.MinValue.Ticks and DateTime.MaxValue.Ticks.');
  }
  static of(y: number, m: number, d: number, h = 0, mi = 0, s = 0, ms = 0, kind: Kind = Kind.Unspecified): DateTime {
    if (!Number.isInteger(ms) || ms < 0 || ms > 999) throw argumentOutOfRange('millisecond', 'Valid values are between 0 and 999, inclusive.');
    return new DateTime(dateToTicks(y, m, d) + timeToTicks(h, mi, s) + BigInt(ms) * TICKS_PER_MS, kind);
  }
  static utcNow(): DateTime { return new DateTime(BigInt(clock.nowMs()) * TICKS_PER_MS + UNIX_EPOCH_TICKS, Kind.Utc); }
  static now(): DateTime { return new DateTime(DateTime.utcNow().ticks, Kind.Local); }
  get parts(): DateParts { return partsOf(this.ticks); }
  get date(): DateTime { return new DateTime(this.ticks - (this.ticks % TICKS_PER_DAY), this.kind); }
  get timeOfDay(): TimeSpan { return new TimeSpan(this.ticks % TICKS_PER_DAY); }
  addTicks(t: bigint, param = 'value'): DateTime {
    const r = this.ticks + t;
    if (r < 0n || r > MAX_TICKS) throw unrepresentableAdd(param);
    return new DateTime(r, this.kind);
  }
  /** AddDays/AddHours…(double): whole units exactly, the fraction truncated to ticks (.NET 7+). */
  addUnits(value: number, maxUnits: number, ticksPerUnit: bigint): DateTime {
    if (Number.isNaN(value) || Math.abs(value) > maxUnits) throw argumentOutOfRange('value', 'Value to add was out of range.');
    const whole = Math.trunc(value);
    const frac = value - whole;
    return this.addTicks(BigInt(whole) * ticksPerUnit + BigInt(Math.trunc(frac * Number(ticksPerUnit))));
  }
  addMonths(months: number): DateTime {
    if (!Number.isInteger(months) || months < -120000 || months > 120000) throw argumentOutOfRange('months', 'Months value must be between +/-120000.');
    const p = this.parts;
    const i = p.month - 1 + months;
    const y = p.year + Math.floor(i / 12);
    const m = ((i % 12) + 12) % 12 + 1;
    if (y < 1 || y > 9999) throw unrepresentableAdd('months');
    const d = Math.min(p.day, daysInMonth(y, m));
    return new DateTime(dateToTicks(y, m, d) + (this.ticks % TICKS_PER_DAY), this.kind);
  }
  addYears(years: number): DateTime {
    if (!Number.isInteger(years) || years < -10000 || years > 10000) throw argumentOutOfRange('years', 'Years value must be between +/-10000.');
    const p = this.parts;
    if (p.year + years < 1 || p.year + years > 9999) throw unrepresentableAdd('years');
    return this.addMonths(years * 12);
  }
  compare(o: DateTime): number { return this.ticks < o.ticks ? -1 : this.ticks > o.ticks ? 1 : 0; }
  equals(o: unknown): boolean { return o instanceof DateTime && o.ticks === this.ticks; }
  toString(): string { return formatDate(this.ticks, this.kind, null, null); }
  toStringFormat(format: string | null): string { return formatDate(this.ticks, this.kind, null, format); }
}

// ---- DateTimeOffset ------------------------------------------------------------------------------

export class DateTimeOffset implements Formattable {
  readonly dotNetType = 'System.DateTimeOffset';
  /** `clock`: the local clock time's ticks; `offsetMinutes`: its offset from UTC. */
  constructor(readonly clockTicks: bigint, readonly offsetMinutes: number) {
    if (!Number.isInteger(offsetMinutes) || Math.abs(offsetMinutes) > 14 * 60) throw argumentOutOfRange('offset', 'Offset must be within plus or minus 14 hours.');
    const utc = clockTicks - BigInt(offsetMinutes) * TICKS_PER_MINUTE;
    if (utc < 0n || utc > MAX_TICKS) throw argumentOutOfRange('offset', 'The UTC time represented when the offset is applied must be between year 0 and 10,000.');
    if (clockTicks < 0n || clockTicks > MAX_TICKS) throw argumentOutOfRange('ticks', 'Ticks must be between DateTime.MinValue.Ticks and DateTime.MaxValue.Ticks.');
  }
  static fromUtc(utcTicks: bigint, offsetMinutes = 0): DateTimeOffset {
    return new DateTimeOffset(utcTicks + BigInt(offsetMinutes) * TICKS_PER_MINUTE, offsetMinutes);
  }
  /** new DateTimeOffset(DateTime): Utc kind → +00:00, otherwise the local offset (also +00:00 here). */
  static fromDateTime(d: DateTime): DateTimeOffset { return new DateTimeOffset(d.ticks, 0); }
  get utcTicks(): bigint { return this.clockTicks - BigInt(this.offsetMinutes) * TICKS_PER_MINUTE; }
  get offset(): TimeSpan { return new TimeSpan(BigInt(this.offsetMinutes) * TICKS_PER_MINUTE); }
  get dateTime(): DateTime { return new DateTime(this.clockTicks, Kind.Unspecified); }
  get utcDateTime(): DateTime { return new DateTime(this.utcTicks, Kind.Utc); }
  get localDateTime(): DateTime { return new DateTime(this.utcTicks, Kind.Local); }
  withClock(f: (d: DateTime) => DateTime): DateTimeOffset { return new DateTimeOffset(f(this.dateTime).ticks, this.offsetMinutes); }
  toOffset(minutes: number): DateTimeOffset { return DateTimeOffset.fromUtc(this.utcTicks, minutes); }
  unixMs(): bigint { return floorDiv(this.utcTicks - UNIX_EPOCH_TICKS, TICKS_PER_MS); }
  unixSeconds(): bigint { return floorDiv(this.utcTicks - UNIX_EPOCH_TICKS, TICKS_PER_SECOND); }
  compare(o: DateTimeOffset): number { return this.utcTicks < o.utcTicks ? -1 : this.utcTicks > o.utcTicks ? 1 : 0; }
  equals(o: unknown): boolean { return o instanceof DateTimeOffset && o.utcTicks === this.utcTicks; }
  toString(): string { return formatDate(this.clockTicks, Kind.Unspecified, this.offsetMinutes, null); }
  toStringFormat(format: string | null): string { return formatDate(this.clockTicks, Kind.Unspecified, this.offsetMinutes, format); }
}

const floorDiv = (a: bigint, b: bigint) => (a >= 0n ? a / b : -((-a + b - 1n) / b));

export function fromUnix(value: bigint, per: bigint, max: bigint, param: string): DateTimeOffset {
  const minV = -UNIX_EPOCH_TICKS / per;
  if (value < minV || value > max) {
    throw argumentOutOfRange(param, `Valid values are between ${minV} and ${max}, inclusive.`);
  }
  return DateTimeOffset.fromUtc(value * per + UNIX_EPOCH_TICKS, 0);
}
