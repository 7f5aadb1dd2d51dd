// System.Text.RegularExpressions on JavaScript's engine. A .NET pattern is translated once to a JS
// RegExp (flags d, g, u, and i): .NET's Unicode \d \w \s, '.' (not '\n'), '$' (also before a final '\n'),
// \A \z \Z, RegexOptions Multiline/Singleline/IgnorePatternWhitespace/ExplicitCapture applied by the
// translation (also inline and scoped: (?m) (?s:...) (?x)), named groups (?<n>) and (?'n'), and .NET's
// group numbering (named groups after the unnamed ones). What JS cannot express (\G, atomic groups,
// balancing groups, conditionals, class subtraction, RightToLeft, a scoped (?i)) is refused with an
// ArgumentException naming it.
//
// Limits: an input is at most MAX_INPUT characters (past it: RegexMatchTimeoutException). The JS engine
// cannot be interrupted, so catastrophic backtracking (`^(a+)+$` on "aaaa…b") is avoided instead: V8 is
// told to switch a match that backtracks excessively to its linear-time engine, which it does for every
// pattern without backreferences or lookaround. A pattern with those can still backtrack for long on a
// hostile input (the one case a policy can stall its gateway process).
import v8 from 'node:v8';
import { argumentError, argumentNull, argumentOutOfRange, DotNetException } from './exceptions.js';
import { checkLength } from './composite.js';

// Process-wide and set once when the expression runtime loads (in the server and in every gateway worker).
v8.setFlagsFromString('--enable-experimental-regexp-engine-on-excessive-backtracks');

export const RegexOptions = {
  None: 0, IgnoreCase: 1, Multiline: 2, ExplicitCapture: 4, Compiled: 8, Singleline: 16, IgnorePatternWhitespace: 32,
  RightToLeft: 64, ECMAScript: 256, CultureInvariant: 512, NonBacktracking: 1024,
} as const;

export const MAX_INPUT = 1 << 20;

const parseError = (pattern: string, offset: number, why: string) =>
  new DotNetException('System.ArgumentException', `Invalid pattern '${pattern}' at offset ${offset}. ${why}`);
const unsupported = (pattern: string, what: string) =>
  new DotNetException('System.ArgumentException', `The regular expression '${pattern}' uses ${what}, which API Management's local gateway cannot run.`);

interface Scope { m: boolean; s: boolean; x: boolean; n: boolean; i: boolean }

interface Translated { source: string; ignoreCase: boolean; groupNames: (string | null)[] }

const WORD = String.raw`\p{L}\p{Mn}\p{Nd}\p{Pc}`;
const SPACE = String.raw`\f\n\r\t\v\x85\p{Z}`;
const CATEGORY = /^(?:L[ultmo]?|M[nce]?|N[dlo]?|P[cdseifo]?|S[mcko]?|Z[slp]?|C[cfsno]?)$/;

const hex4 = (c: string) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`;

/** Translates a .NET pattern; `groupNames[j]` is the name (or null) of JS capture group j+1. */
export function translate(pattern: string, options: number): Translated {
  if (options & RegexOptions.RightToLeft) throw unsupported(pattern, 'RegexOptions.RightToLeft');
  if (options < 0 || options >= 2048) throw argumentOutOfRange('options', 'Specified argument was out of the range of valid values.');
  const ecma = (options & RegexOptions.ECMAScript) !== 0;
  let ignoreCase = (options & RegexOptions.IgnoreCase) !== 0;
  const stack: Scope[] = [];
  let scope: Scope = {
    m: (options & RegexOptions.Multiline) !== 0, s: (options & RegexOptions.Singleline) !== 0,
    x: (options & RegexOptions.IgnorePatternWhitespace) !== 0, n: (options & RegexOptions.ExplicitCapture) !== 0, i: ignoreCase,
  };
  const groupNames: (string | null)[] = [];
  let out = '';
  let i = 0;
  const p = pattern;
  const err = (why: string, at = i) => parseError(p, at, why);
  const canQuantify = () => out.length > 0;

  const applyFlags = (spec: string, at: number): Scope => {
    const next = { ...scope };
    let on = true;
    for (const f of spec) {
      if (f === '-') { on = false; continue; }
      if (f === 'i') next.i = on;
      else if (f === 'm') next.m = on;
      else if (f === 's') next.s = on;
      else if (f === 'x') next.x = on;
      else if (f === 'n') next.n = on;
      else throw err('Unrecognized grouping construct.', at);
    }
    if (next.i !== ignoreCase) {
      // JS has one case-sensitivity for the whole pattern: only a leading (?i) can set it.
      if (out === '' && stack.length === 0) ignoreCase = next.i;
      else throw unsupported(p, 'a case-sensitivity change inside the pattern ((?i) or (?-i) after the start)');
    }
    return next;
  };

  const escape = (inClass: boolean): string => {
    const c = p[i + 1];
    if (c === undefined) throw err('Illegal \\ at end of pattern.');
    i += 2;
    switch (c) {
      case 'd': return ecma ? '\\d' : inClass ? '\\p{Nd}' : '\\p{Nd}';
      case 'D': return ecma ? '\\D' : '\\P{Nd}';
      case 'w': return ecma ? '\\w' : inClass ? WORD : `[${WORD}]`;
      case 's': return ecma ? '\\s' : inClass ? SPACE : `[${SPACE}]`;
      case 'W': case 'S':
        if (ecma) return '\\' + c;
        if (inClass) throw unsupported(p, `\\${c} inside a character class`);
        return c === 'W' ? `[^${WORD}]` : `[^${SPACE}]`;
      case 'b': return inClass ? '\\x08' : '\\b';
      case 'B': if (inClass) throw err('Unrecognized escape sequence \\B.'); return '\\B';
      case 'A': if (inClass) throw err('Unrecognized escape sequence \\A.'); return '(?<![\\s\\S])';
      case 'z': if (inClass) throw err('Unrecognized escape sequence \\z.'); return '(?![\\s\\S])';
      case 'Z': if (inClass) throw err('Unrecognized escape sequence \\Z.'); return '(?=\\n?(?![\\s\\S]))';
      case 'G': throw unsupported(p, '\\G');
      case 'p': case 'P': {
        const m = /^\{([A-Za-z]+)\}/.exec(p.slice(i));
        if (!m) throw err('Incomplete \\p{X} character escape.');
        if (!CATEGORY.test(m[1])) throw unsupported(p, `the Unicode block or category \\${c}{${m[1]}}`);
        i += m[0].length;
        return `\\${c}{${m[1]}}`;
      }
      case 'k': {
        if (inClass) return 'k';
        const m = /^(?:<(\w+)>|'(\w+)')/.exec(p.slice(i));
        if (!m) throw err('Malformed \\k<...> named back reference.');
        i += m[0].length;
        const name = m[1] ?? m[2];
        return /^\d+$/.test(name) ? `\u0000N${name}\u0000` : `\u0000K${name}\u0000`;
      }
      case 'x': {
        const m = /^[0-9A-Fa-f]{2}/.exec(p.slice(i));
        if (!m) throw err('Insufficient hex digits.');
        i += 2;
        return `\\x${m[0]}`;
      }
      case 'u': {
        const m = /^[0-9A-Fa-f]{4}/.exec(p.slice(i));
        if (!m) throw err('Insufficient hex digits.');
        i += 4;
        return `\\u${m[0]}`;
      }
      case 'c': {
        const l = p[i];
        if (!l || !/[A-Za-z]/.test(l)) throw err('Missing control character.');
        i++;
        return `\\c${l}`;
      }
      case 'e': return '\\x1b';
      case 'a': return '\\x07';
      case 't': case 'n': case 'r': case 'f': case 'v': return '\\' + c;
      case '0': {
        const m = /^[0-7]{0,2}/.exec(p.slice(i))!;
        i += m[0].length;
        return `\\x${parseInt('0' + m[0], 8).toString(16).padStart(2, '0')}`;
      }
      default:
        if (/[1-9]/.test(c)) {
          if (inClass) { const m = /^[0-7]{0,2}/.exec(p.slice(i - 1))!; i += m[0].length - 1; return `\\x${parseInt(m[0], 8).toString(16).padStart(2, '0')}`; }
          const m = /^\d*/.exec(p.slice(i))!;
          i += m[0].length;
          return `\u0000N${c}${m[0]}\u0000`;
        }
        if (/[A-Za-z0-9_]/.test(c)) throw err(`Unrecognized escape sequence \\${c}.`);
        return /[\^$\\.*+?()[\]{}|/-]/.test(c) ? '\\' + c : hex4(c);
    }
  };

  const charClass = (): string => {
    const start = i;
    i++;
    let cls = '[';
    if (p[i] === '^') { cls += '^'; i++; }
    let first = true;
    for (;;) {
      if (i >= p.length) throw err('Unterminated [] set.', start);
      const c = p[i];
      if (c === ']' && !first) { i++; break; }
      first = false;
      if (c === '\\') { cls += escape(true); continue; }
      if (c === '-' && p[i + 1] === '[') throw unsupported(p, 'character class subtraction');
      if (c === '[' && p[i + 1] === ':') { cls += '\\['; i++; continue; }
      cls += c === '[' || c === ']' ? '\\' + c : c === '/' ? '\\/' : c;
      i++;
    }
    return cls + ']';
  };

  while (i < p.length) {
    const c = p[i];
    if (scope.x && /\s/.test(c)) { i++; continue; }
    if (scope.x && c === '#') { while (i < p.length && p[i] !== '\n') i++; continue; }
    switch (c) {
      case '\\': out += escape(false); continue;
      case '[': out += charClass(); continue;
      case '.': out += scope.s ? '[\\s\\S]' : '[^\\n]'; i++; continue;
      case '^': out += scope.m ? '(?:(?<![\\s\\S])|(?<=\\n))' : '(?<![\\s\\S])'; i++; continue;
      case '$': out += scope.m ? '(?=\\n|(?![\\s\\S]))' : '(?=\\n?(?![\\s\\S]))'; i++; continue;
      case '(': {
        const rest = p.slice(i);
        if (rest.startsWith('(?#')) {
          const end = p.indexOf(')', i);
          if (end < 0) throw err('Unterminated (?#...) comment.');
          i = end + 1;
          continue;
        }
        let m: RegExpExecArray | null;
        if ((m = /^\(\?([imnsx-]*)\)/.exec(rest)) && m[1] !== '') {
          scope = applyFlags(m[1], i);
          i += m[0].length;
          continue;
        }
        stack.push(scope);
        if ((m = /^\(\?([imnsx-]*):/.exec(rest))) {
          scope = m[1] ? applyFlags(m[1], i) : scope;
          out += '(?:'; i += m[0].length; continue;
        }
        if (rest.startsWith('(?=') || rest.startsWith('(?!')) { out += rest.slice(0, 3); i += 3; continue; }
        if (rest.startsWith('(?<=') || rest.startsWith('(?<!')) { out += rest.slice(0, 4); i += 4; continue; }
        if (rest.startsWith('(?>')) throw unsupported(p, 'an atomic group (?>...)');
        if (rest.startsWith('(?(')) throw unsupported(p, 'a conditional group (?(...)...)');
        if ((m = /^\(\?(?:<([^>]*)>|'([^']*)')/.exec(rest))) {
          const name = m[1] ?? m[2];
          if (name.includes('-')) throw unsupported(p, 'a balancing group');
          if (!/^\w+$/.test(name)) throw err('Invalid group name: Group names must begin with a word character.');
          if (/^\d/.test(name)) throw unsupported(p, `the numbered group (?<${name}>...)`);
          if (groupNames.includes(name)) throw unsupported(p, `the group name '${name}' twice`);
          groupNames.push(name);
          out += `(?<${name}>`;
          i += m[0].length;
          continue;
        }
        if (rest.startsWith('(?')) throw err('Unrecognized grouping construct.', i + 1);
        if (scope.n) out += '(?:'; else { groupNames.push(null); out += '('; }
        i++;
        continue;
      }
      case ')':
        if (stack.length === 0) throw err('Too many )\'s.');
        scope = stack.pop()!;
        out += ')'; i++;
        continue;
      case '{': {
        const m = /^\{(\d+)(,(\d*))?\}/.exec(p.slice(i));
        if (m && canQuantify()) {
          if (m[3] && Number(m[3]) < Number(m[1])) throw err('Illegal {x,y} with x > y.');
          out += m[0]; i += m[0].length;
        } else { out += '\\{'; i++; }
        continue;
      }
      case '}': out += '\\}'; i++; continue;
      case ']': out += '\\]'; i++; continue;
      case '/': out += '\\/'; i++; continue;
      case '*': case '+': case '?':
        if (!canQuantify() || /[(|]$/.test(out)) throw err(`Quantifier '${c}' following nothing.`);
        out += c; i++;
        continue;
      default: out += c; i++;
    }
  }
  if (stack.length) throw err('Not enough )\'s.');
  // Back references: .NET numbers unnamed groups first, then named ones.
  const netNumberOfJs = dotNetNumbers(groupNames);
  const jsOfNet = new Map<number, number>();
  netNumberOfJs.forEach((n, j) => jsOfNet.set(n, j + 1));
  out = out.replace(/\u0000([NK])([^\u0000]*)\u0000/g, (_all, kind: string, ref: string) => {
    if (kind === 'K') {
      if (!groupNames.includes(ref)) throw parseError(p, p.length, `Reference to undefined group name '${ref}'.`);
      return `\\k<${ref}>`;
    }
    const js = jsOfNet.get(Number(ref));
    if (js === undefined) throw parseError(p, p.length, `Reference to undefined group number ${ref}.`);
    return `(?:\\${js})`;
  });
  return { source: out, ignoreCase, groupNames };
}

/** .NET's number for each JS capture group (index j → group j+1). */
function dotNetNumbers(names: readonly (string | null)[]): number[] {
  let next = 1;
  const out: number[] = names.map((n) => (n === null ? next++ : 0));
  names.forEach((n, j) => { if (n !== null) out[j] = next++; });
  return out;
}

// ---- runtime objects ---------------------------------------------------------------------------

export class CaptureImpl {
  constructor(readonly index: number, readonly length: number, readonly value: string) {}
  toString(): string { return this.value; }
}

export class GroupImpl extends CaptureImpl {
  readonly dotNetType: string = 'System.Text.RegularExpressions.Group';
  constructor(readonly success: boolean, index: number, value: string, readonly name: string) {
    super(index, value.length, value);
  }
  /** JS keeps only a group's last capture, so Captures has at most one. */
  get captures(): CaptureImpl[] { return this.success ? [new CaptureImpl(this.index, this.length, this.value)] : []; }
}

export class MatchImpl extends GroupImpl {
  override readonly dotNetType = 'System.Text.RegularExpressions.Match';
  constructor(readonly groups: GroupCollection, private readonly regex: RegexImpl | null, readonly input: string) {
    const g0 = groups.byNumber(0);
    super(g0.success, g0.index, g0.value, '0');
  }
  static empty(): MatchImpl { return new MatchImpl(new GroupCollection([new GroupImpl(false, 0, '', '0')], new Map()), null, ''); }
  /** Match.Result(replacement): the replacement pattern expanded for this match. */
  result(replacement: string | null): string {
    if (replacement === null) throw argumentNull('replacement');
    if (!this.regex) throw new DotNetException('System.NotSupportedException', 'Result cannot be called on a failed Match.');
    return expand(replacement, this);
  }
  nextMatch(): MatchImpl {
    if (!this.regex || !this.success) return MatchImpl.empty();
    return this.regex.match(this.input, this.length === 0 ? this.index + 1 : this.index + this.length, true);
  }
}

export class GroupCollection {
  readonly dotNetType = 'System.Text.RegularExpressions.GroupCollection';
  constructor(private readonly list: GroupImpl[], private readonly byName: ReadonlyMap<string, number>) {}
  get count(): number { return this.list.length; }
  byNumber(n: number): GroupImpl { return this.list[n] ?? new GroupImpl(false, 0, '', String(n)); }
  byKey(name: string | null): GroupImpl {
    if (name === null) throw argumentNull('groupname');
    const n = this.byName.get(name) ?? (/^\d+$/.test(name) ? Number(name) : -1);
    return this.list[n] ?? new GroupImpl(false, 0, '', name);
  }
  [Symbol.iterator](): Iterator<GroupImpl> { return this.list[Symbol.iterator](); }
  all(): readonly GroupImpl[] { return this.list; }
}

export class MatchCollection {
  readonly dotNetType = 'System.Text.RegularExpressions.MatchCollection';
  constructor(readonly items: readonly MatchImpl[]) {}
  get count(): number { return this.items.length; }
  at(i: number): MatchImpl {
    if (!Number.isInteger(i) || i < 0 || i >= this.items.length) throw argumentOutOfRange('i', 'Specified argument was out of the range of valid values.');
    return this.items[i];
  }
  [Symbol.iterator](): Iterator<MatchImpl> { return this.items[Symbol.iterator](); }
}

const timeout = () => new DotNetException('System.Text.RegularExpressions.RegexMatchTimeoutException',
  'The Regex engine has timed out while trying to match a pattern to an input string. This can occur for many reasons, including very large inputs or excessive backtracking caused by nested quantifiers, back-references and other factors.');

export class RegexImpl {
  readonly dotNetType = 'System.Text.RegularExpressions.Regex';
  private readonly re: RegExp;
  /** .NET group number → JS group index (0 → 0), and .NET names by number. */
  private readonly jsIndex: number[] = [0];
  private readonly names: string[] = ['0'];
  private readonly nameToNumber = new Map<string, number>();

  constructor(readonly pattern: string, readonly options: number) {
    if (pattern === null) throw argumentNull('pattern');
    const t = translate(pattern, options);
    try {
      this.re = new RegExp(t.source, t.ignoreCase ? 'dgiu' : 'dgu');
    } catch (e) {
      throw parseError(pattern, pattern.length, (e as Error).message.replace(/^Invalid regular expression: /, ''));
    }
    const nums = dotNetNumbers(t.groupNames);
    nums.forEach((n, j) => {
      this.jsIndex[n] = j + 1;
      const name = t.groupNames[j];
      this.names[n] = name ?? String(n);
      if (name) this.nameToNumber.set(name, n);
    });
  }

  private check(input: string | null, startat = 0): string {
    if (input === null) throw argumentNull('input');
    if (input.length > MAX_INPUT) throw timeout();
    if (!Number.isInteger(startat) || startat < 0 || startat > input.length) throw argumentOutOfRange('startat', 'Start index cannot be less than 0 or greater than input length.');
    return input;
  }

  /** The match at or after `startat`. */
  match(input: string | null, startat = 0, checked = false): MatchImpl {
    const s = checked ? input! : this.check(input, startat);
    if (startat > s.length) return MatchImpl.empty();
    this.re.lastIndex = startat;
    const m = this.re.exec(s);
    if (!m) return MatchImpl.empty();
    const groups = this.names.map((name, n) => {
      const j = this.jsIndex[n];
      const v = m[j];
      return v === undefined ? new GroupImpl(false, 0, '', name) : new GroupImpl(true, m.indices![j][0], v, name);
    });
    return new MatchImpl(new GroupCollection(groups, this.nameToNumber), this, s);
  }

  isMatch(input: string | null, startat = 0): boolean { return this.match(input, startat).success; }

  matches(input: string | null, startat = 0): MatchCollection {
    const s = this.check(input, startat);
    const out: MatchImpl[] = [];
    let at = startat;
    while (at <= s.length) {
      const m = this.match(s, at, true);
      if (!m.success) break;
      out.push(m);
      at = m.length === 0 ? m.index + 1 : m.index + m.length;
      if (out.length > MAX_INPUT) throw timeout();
    }
    return new MatchCollection(out);
  }

  replace(input: string | null, replacement: string | ((m: MatchImpl) => string | null) | null, count = -1, startat = 0): string {
    const s = this.check(input, startat);
    if (replacement === null) throw argumentNull(typeof replacement === 'function' ? 'evaluator' : 'replacement');
    if (count < -1) throw argumentOutOfRange('count', 'Count cannot be less than -1.');
    if (count === 0) return s;
    let out = '';
    let last = 0;
    let n = 0;
    for (const m of this.matches(s, startat)) {
      out += s.slice(last, m.index) + (typeof replacement === 'function' ? replacement(m) ?? '' : expand(replacement, m));
      checkLength(out.length);
      last = m.index + m.length;
      if (++n === count) break;
    }
    return out + s.slice(last);
  }

  split(input: string | null, count = 0, startat = 0): string[] {
    const s = this.check(input, startat);
    if (count < 0) throw argumentOutOfRange('count', 'Count cannot be less than zero.');
    if (count === 1) return [s];
    const out: string[] = [];
    let last = 0;
    let pieces = 0;
    for (const m of this.matches(s, startat)) {
      out.push(s.slice(last, m.index));
      // Captured groups go into the result, in group-number order (as .NET does).
      for (const g of m.groups.all().slice(1)) if (g.success) out.push(g.value);
      last = m.index + m.length;
      if (count > 0 && ++pieces === count - 1) break;
    }
    out.push(s.slice(last));
    return out;
  }

  groupNumber(name: string): number { return this.nameToNumber.get(name) ?? (/^\d+$/.test(name) && this.jsIndex[Number(name)] !== undefined ? Number(name) : -1); }
  toString(): string { return this.pattern; }
}

/** Expands .NET's replacement pattern: $1 $12 ${name} $$ $& $` $' $+ $_. */
function expand(replacement: string, m: MatchImpl): string {
  let out = '';
  for (let i = 0; i < replacement.length; i++) {
    const c = replacement[i];
    if (c !== '$' || i + 1 >= replacement.length) { out += c; continue; }
    const n = replacement[i + 1];
    if (n === '$') { out += '$'; i++; continue; }
    if (n === '&') { out += m.value; i++; continue; }
    if (n === '`') { out += m.input.slice(0, m.index); i++; continue; }
    if (n === '\'') { out += m.input.slice(m.index + m.length); i++; continue; }
    if (n === '_') { out += m.input; i++; continue; }
    if (n === '+') {
      const gs = m.groups.all();
      out += gs.length > 1 ? gs[gs.length - 1].value : m.value;
      i++; continue;
    }
    if (n === '{') {
      const end = replacement.indexOf('}', i + 2);
      const name = end > 0 ? replacement.slice(i + 2, end) : '';
      if (/^\w+$/.test(name)) {
        const g = m.groups.byKey(name);
        if (g.success || m.groups.all().some((x) => x.name === name)) { out += g.value; i = end; continue; }
      }
      out += c; continue;
    }
    if (/\d/.test(n)) {
      // The longest digit run that names an existing group.
      const digits = /^\d+/.exec(replacement.slice(i + 1))![0];
      let used = 0;
      for (let k = digits.length; k > 0; k--) {
        const num = Number(digits.slice(0, k));
        if (num < m.groups.count) { out += m.groups.byNumber(num).value; used = k; break; }
      }
      if (used) { i += used; continue; }
    }
    out += c;
  }
  return out;
}

/** Regex.Unescape: .NET's character escapes undone. */
export function unescape(s: string | null): string {
  if (s === null) throw argumentNull('str');
  let out = '';
  for (let i = 0; i < s.length; i++) {
    if (s[i] !== '\\') { out += s[i]; continue; }
    const c = s[++i];
    if (c === undefined) throw parseError(s, s.length, 'Illegal \\ at end of pattern.');
    const simple: Record<string, string> = { t: '\t', n: '\n', r: '\r', f: '\f', v: '\v', a: '\x07', e: '\x1b', b: '\b' };
    if (simple[c]) { out += simple[c]; continue; }
    if (c === 'x' || c === 'u') {
      const len = c === 'x' ? 2 : 4;
      const h = s.slice(i + 1, i + 1 + len);
      if (!new RegExp(`^[0-9A-Fa-f]{${len}}$`).test(h)) throw parseError(s, i + 1, 'Insufficient hex digits.');
      out += String.fromCharCode(parseInt(h, 16)); i += len; continue;
    }
    if (/[0-7]/.test(c)) {
      const m = /^[0-7]{1,3}/.exec(s.slice(i))!;
      out += String.fromCharCode(parseInt(m[0], 8) & 0xff); i += m[0].length - 1; continue;
    }
    if (c === 'c') { const l = s[++i]; if (!l) throw parseError(s, i, 'Missing control character.'); out += String.fromCharCode(l.toUpperCase().charCodeAt(0) & 31); continue; }
    if (/[A-Za-z_]/.test(c)) throw parseError(s, i + 1, `Unrecognized escape sequence \\${c}.`);
    out += c;
  }
  return out;
}

// Static Regex methods compile their pattern each call in .NET too (with a small cache): keep the last few.
const cache = new Map<string, RegexImpl>();
export function cached(pattern: string | null, options: number): RegexImpl {
  if (pattern === null) throw argumentNull('pattern');
  const key = `${options}\u0000${pattern}`;
  let r = cache.get(key);
  if (!r) {
    r = new RegexImpl(pattern, options);
    if (cache.size >= 256) cache.delete(cache.keys().next().value!);
    cache.set(key, r);
  }
  return r;
}

export const checkOptionsArg = (o: number) => {
  if (!Number.isInteger(o)) throw argumentError('Invalid RegexOptions.', 'options');
  return o;
};
