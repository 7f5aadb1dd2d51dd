// JToken.SelectToken/SelectTokens: Newtonsoft's JSONPath (`$.a.b[0]`, `a.b`, `['x']`, `[*]`, `..name`,
// `[1,2]`, `[0:2]`, filters `[?(@.x == 'y' && @.n > 1)]`).
import { JArray, jsonException, JObject, JProperty, JToken, JValue } from './json.js';

type Step = (t: JToken, root: JToken, strict: boolean) => JToken[];
type Expr =
  | { op: 'and' | 'or'; left: Expr; right: Expr }
  | { op: '==' | '!=' | '<' | '<=' | '>' | '>='; left: Operand; right: Operand }
  | { op: 'exists'; path: Operand };
type Operand = { path: Step[]; fromRoot: boolean } | { value: JValue };

const values = (t: JToken): JToken[] => (t instanceof JObject ? t.properties().map((p) => p.value) : t instanceof JArray ? t.items : []);

class PathParser {
  i = 0;
  constructor(private readonly s: string) {}
  private err(message: string): Error { return jsonException(message); }
  private peek(): string { return this.s[this.i] ?? ''; }
  private ws(): void { while (this.s[this.i] === ' ') this.i++; }

  /** A path up to the end, or (inside a filter) up to an operator or closing parenthesis. */
  steps(inFilter: boolean): Step[] {
    const out: Step[] = [];
    let first = true;
    for (;;) {
      const c = this.peek();
      if (c === '' || (inFilter && /[\s)=!<>&|]/.test(c))) return out;
      if (c === '.') {
        this.i++;
        if (this.peek() === '.') {
          this.i++;
          const name = this.peek() === '*' ? (this.i++, null) : this.peek() === '[' ? undefined : this.name(inFilter);
          if (name === undefined) { out.push(scanAll()); continue; }
          out.push(scan(name));
          continue;
        }
        if (this.peek() === '*') { this.i++; out.push((t) => values(t)); continue; }
        out.push(field(this.name(inFilter)));
      } else if (c === '[') {
        out.push(this.bracket());
      } else if (first && !inFilter) {
        out.push(field(this.name(inFilter)));
      } else throw this.err(`Unexpected character while parsing path: ${c}`);
      first = false;
    }
  }

  private name(inFilter: boolean): string {
    const start = this.i;
    while (this.i < this.s.length && !/[.[\]]/.test(this.s[this.i]) && !(inFilter && /[\s)=!<>&|]/.test(this.s[this.i]))) {
      if (this.s[this.i] === '(' || this.s[this.i] === ')') throw this.err(`Unexpected character while parsing path: ${this.s[this.i]}`);
      this.i++;
    }
    if (this.i === start) throw this.err('Unexpected end while parsing path.');
    return this.s.slice(start, this.i);
  }

  private quoted(): string {
    const q = this.s[this.i++];
    let out = '';
    while (this.i < this.s.length && this.s[this.i] !== q) {
      if (this.s[this.i] === '\\') this.i++;
      out += this.s[this.i++];
    }
    if (this.s[this.i] !== q) throw this.err('Path ended with an open string.');
    this.i++;
    return out;
  }

  private bracket(): Step {
    this.i++;
    this.ws();
    const c = this.peek();
    if (c === '?') {
      this.i++;
      if (this.s[this.i++] !== '(') throw this.err(`Unexpected character while parsing path indexer: ${this.s[this.i - 1]}`);
      const e = this.orExpr();
      this.ws();
      if (this.s[this.i++] !== ')' || (this.ws(), this.s[this.i++] !== ']')) throw this.err('Path ended with open query.');
      return (t, root) => values(t).filter((v) => matches(e, v, root));
    }
    if (c === '*') {
      this.i++; this.ws();
      if (this.s[this.i++] !== ']') throw this.err('Unexpected character while parsing path indexer: *');
      return (t) => values(t);
    }
    if (c === "'" || c === '"') {
      const names: string[] = [];
      for (;;) {
        this.ws();
        names.push(this.quoted());
        this.ws();
        const d = this.s[this.i++];
        if (d === ']') break;
        if (d !== ',') throw this.err(`Unexpected character while parsing path indexer: ${d ?? ''}`);
      }
      return names.length === 1 ? field(names[0]) : (t) => names.flatMap((n) => (t instanceof JObject && t.get(n) ? [t.get(n) as JToken] : []));
    }
    const end = this.s.indexOf(']', this.i);
    if (end < 0) throw this.err('Path ended with open indexer.');
    const body = this.s.slice(this.i, end).replace(/\s/g, '');
    this.i = end + 1;
    if (body.includes(':')) {
      const [a, b, st] = body.split(':').map((x) => (x === '' ? undefined : Number(x)));
      const step = st ?? 1;
      if (step === 0) throw this.err('Step cannot be zero.');
      return (t) => {
        if (!(t instanceof JArray)) return [];
        const n = t.items.length;
        const norm = (x: number | undefined, d: number) => (x === undefined ? d : x < 0 ? Math.max(n + x, 0) : Math.min(x, n));
        const out: JToken[] = [];
        if (step > 0) for (let i = norm(a, 0); i < norm(b, n); i += step) out.push(t.items[i]);
        else for (let i = norm(a, n - 1); i > norm(b, -1); i += step) if (i < n) out.push(t.items[i]);
        return out;
      };
    }
    const idx = body.split(',').map((x) => {
      if (!/^-?\d+$/.test(x)) throw this.err(`Unexpected character while parsing path indexer: ${x[0] ?? ']'}`);
      return Number(x);
    });
    return (t, _root, strict) => {
      if (!(t instanceof JArray)) {
        if (strict) throw jsonException(`Index ${idx[0]} not valid on ${t.constructor.name}.`);
        return [];
      }
      return idx.flatMap((i) => {
        const j = i < 0 ? t.items.length + i : i;
        if (j >= 0 && j < t.items.length) return [t.items[j]];
        if (strict) throw jsonException(`Index ${i} outside the bounds of JArray.`);
        return [];
      });
    };
  }

  orExpr(): Expr {
    let left = this.andExpr();
    for (;;) {
      this.ws();
      if (!this.s.startsWith('||', this.i)) return left;
      this.i += 2;
      left = { op: 'or', left, right: this.andExpr() };
    }
  }

  private andExpr(): Expr {
    let left = this.compare();
    for (;;) {
      this.ws();
      if (!this.s.startsWith('&&', this.i)) return left;
      this.i += 2;
      left = { op: 'and', left, right: this.compare() };
    }
  }

  private compare(): Expr {
    this.ws();
    if (this.peek() === '(') {
      this.i++;
      const e = this.orExpr();
      this.ws();
      if (this.s[this.i++] !== ')') throw this.err('Path ended with open query.');
      return e;
    }
    const left = this.operand();
    this.ws();
    const m = /^(==|!=|<=|>=|<|>)/.exec(this.s.slice(this.i));
    if (!m) {
      if ('value' in left) throw this.err('Unexpected character while parsing path query: ' + this.peek());
      return { op: 'exists', path: left };
    }
    this.i += m[0].length;
    return { op: m[1] as '==', left, right: this.operand() };
  }

  private operand(): Operand {
    this.ws();
    const c = this.peek();
    if (c === '@' || c === '$') { this.i++; return { path: this.steps(true), fromRoot: c === '$' }; }
    if (c === "'" || c === '"') return { value: JValue.createString(this.quoted()) };
    const m = /^(true|false|null|-?\d+(\.\d+)?([eE][+-]?\d+)?)/.exec(this.s.slice(this.i));
    if (!m) throw this.err(`Unexpected character while parsing path query: ${c}`);
    this.i += m[0].length;
    const w = m[1];
    const v = w === 'true' || w === 'false' ? new JValue('Boolean', w === 'true') : w === 'null' ? JValue.createNull()
      : /[.eE]/.test(w) ? JValue.float(Number(w)) : JValue.int(BigInt(w));
    return { value: v };
  }
}

function field(name: string): Step {
  return (t, _root, strict) => {
    if (t instanceof JObject) {
      const v = t.get(name);
      if (v) return [v];
      if (strict) throw jsonException(`Property '${name}' does not exist on JObject.`);
      return [];
    }
    if (strict) throw jsonException(`Property '${name}' not valid on ${t.constructor.name}.`);
    return [];
  };
}

function descendants(t: JToken): JToken[] {
  const out: JToken[] = [];
  const walk = (x: JToken) => { for (const c of x.children()) { out.push(c); walk(c); } };
  walk(t);
  return out;
}
const scan = (name: string | null): Step => (t) => descendants(t).flatMap((d) => (d instanceof JProperty && (name === null || d.name === name) ? [d.value] : name === null && !(d instanceof JProperty) && !(d.parent instanceof JProperty) ? [d] : []));
const scanAll = (): Step => (t) => [t, ...descendants(t).filter((d) => !(d instanceof JProperty))];

function run(steps: readonly Step[], start: JToken, root: JToken, strict: boolean): JToken[] {
  let cur = [start];
  for (const s of steps) cur = cur.flatMap((t) => s(t, root, strict));
  return cur;
}

function operandTokens(o: Operand, t: JToken, root: JToken): JToken[] {
  return 'value' in o ? [o.value] : run(o.path, o.fromRoot ? root : t, root, false);
}

function compareValues(a: JToken, b: JToken): number | undefined {
  if (!(a instanceof JValue) || !(b instanceof JValue)) return undefined;
  const x = a.value; const y = b.value;
  const num = (v: unknown) => typeof v === 'number' || typeof v === 'bigint';
  if (num(x) && num(y)) { const p = Number(x); const q = Number(y); return p < q ? -1 : p > q ? 1 : 0; }
  if (typeof x === 'string' && typeof y === 'string') return x < y ? -1 : x > y ? 1 : 0;
  if (x === y) return 0;
  return undefined;
}

function matches(e: Expr, t: JToken, root: JToken): boolean {
  switch (e.op) {
    case 'and': return matches(e.left, t, root) && matches(e.right, t, root);
    case 'or': return matches(e.left, t, root) || matches(e.right, t, root);
    case 'exists': return operandTokens(e.path, t, root).length > 0;
    default: {
      const ls = operandTokens(e.left, t, root);
      const rs = operandTokens(e.right, t, root);
      return ls.some((l) => rs.some((r) => {
        const c = compareValues(l, r);
        switch (e.op) {
          case '==': return c === 0;
          case '!=': return c !== 0;
          case '<': return c !== undefined && c < 0;
          case '<=': return c !== undefined && c <= 0;
          case '>': return c !== undefined && c > 0;
          default: return c !== undefined && c >= 0;
        }
      }));
    }
  }
}

export function selectTokens(token: JToken, path: string | null, errorWhenNoMatch = false): JToken[] {
  if (path === null) return [token];
  const p = new PathParser(path);
  let fromRoot = false;
  if (path.startsWith('$')) { p.i = 1; fromRoot = true; }
  const steps = p.steps(false);
  return run(steps, fromRoot ? token : token, token.root, errorWhenNoMatch);
}

export function selectToken(token: JToken, path: string | null, errorWhenNoMatch = false): JToken | null {
  const found = selectTokens(token, path, errorWhenNoMatch);
  if (found.length > 1) throw jsonException('Path returned multiple tokens.');
  return found[0] ?? null;
}
