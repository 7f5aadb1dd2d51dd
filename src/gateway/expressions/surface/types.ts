// Static types of the expression language, as the checker sees them. A type is a name with type
// arguments: `int`, `List<string>`, `Func<JToken,bool>`; arrays are `T[]` (name '[]'), nullable value
// types `T?` (name '?'). Type parameters (the T of `Where<T>`) are names flagged `param`.
//
// Types come from C# source text twice: in surface signatures written by us ('Where<T>(this
// IEnumerable<T> source, Func<T,bool> predicate): IEnumerable<T>'), and in user expressions, where the
// tree-sitter grammar gives the syntax tree. parseTypeText reads the first.

export interface TypeRef {
  readonly name: string;
  readonly args: readonly TypeRef[];
  /** A type parameter (T), bound by inference or by explicit type arguments. */
  readonly param?: boolean;
}

export const t = (name: string, ...args: TypeRef[]): TypeRef => ({ name, args });
export const arrayOf = (elem: TypeRef): TypeRef => ({ name: '[]', args: [elem] });
export const nullableOf = (of: TypeRef): TypeRef => ({ name: '?', args: [of] });

/** C# keywords for types, by their System names. */
export const KEYWORD_TYPES: Readonly<Record<string, string>> = {
  bool: 'Boolean', byte: 'Byte', sbyte: 'SByte', char: 'Char', short: 'Int16', ushort: 'UInt16',
  int: 'Int32', uint: 'UInt32', long: 'Int64', ulong: 'UInt64', float: 'Single', double: 'Double',
  decimal: 'Decimal', string: 'String', object: 'Object', void: 'Void', dynamic: 'Object',
};

/** The name a type is registered under: keywords map to their System type (`int` → `Int32`). */
export const canonicalName = (name: string): string => KEYWORD_TYPES[name] ?? name;

export const T = {
  bool: t('Boolean'), char: t('Char'), int: t('Int32'), long: t('Int64'), double: t('Double'), float: t('Single'),
  decimal: t('Decimal'), string: t('String'), object: t('Object'), void: t('Void'), byte: t('Byte'),
  /** The type of the `null` literal: converts to any reference or nullable type. */
  null: t('<null>'),
} as const;

const C_SHARP_NAMES: Readonly<Record<string, string>> = Object.fromEntries(Object.entries(KEYWORD_TYPES).filter(([k]) => k !== 'dynamic').map(([k, v]) => [v, k]));

/** How C# (and APIM's error messages) write the type: `string`, `List<int>`, `JToken[]`, `int?`. */
export function typeText(ty: TypeRef): string {
  if (ty.name === '[]') return `${typeText(ty.args[0])}[]`;
  if (ty.name === '?') return `${typeText(ty.args[0])}?`;
  if (ty.name === '<null>') return '<null>';
  const base = C_SHARP_NAMES[ty.name] ?? ty.name;
  return ty.args.length ? `${base}<${ty.args.map(typeText).join(', ')}>` : base;
}

export function sameType(a: TypeRef, b: TypeRef): boolean {
  if (a.name !== b.name || a.args.length !== b.args.length || !!a.param !== !!b.param) return false;
  return a.args.every((x, i) => sameType(x, b.args[i]));
}

/** Replaces type parameters by their bindings. */
export function substitute(ty: TypeRef, bindings: ReadonlyMap<string, TypeRef>): TypeRef {
  if (ty.param) return bindings.get(ty.name) ?? ty;
  if (ty.args.length === 0) return ty;
  return { name: ty.name, args: ty.args.map((a) => substitute(a, bindings)) };
}

export function hasParams(ty: TypeRef): boolean {
  return !!ty.param || ty.args.some(hasParams);
}

/**
 * Reads a type written in surface signatures: `Dictionary<string, List<int>>`, `int[]`, `DateTime?`,
 * `Func<T,bool>`. Names in `params` become type parameters. Throws on malformed text (a bug in a
 * surface definition, caught when the surface loads).
 */
export function parseTypeText(text: string, params: readonly string[] = []): TypeRef {
  const p = new TypeTextReader(text, params);
  const ty = p.type();
  p.end();
  return ty;
}

export class TypeTextReader {
  private i = 0;
  constructor(private readonly s: string, private readonly params: readonly string[]) {}

  private ws(): void { while (this.i < this.s.length && /\s/.test(this.s[this.i])) this.i++; }
  peek(): string { this.ws(); return this.s[this.i] ?? ''; }
  eat(ch: string): boolean { if (this.peek() === ch) { this.i++; return true; } return false; }
  expect(ch: string): void { if (!this.eat(ch)) throw new Error(`surface signature '${this.s}': '${ch}' expected at ${this.i}`); }
  get pos(): number { return this.i; }
  rest(): string { return this.s.slice(this.i); }

  name(): string {
    this.ws();
    const m = /^[A-Za-z_][A-Za-z0-9_.]*/.exec(this.s.slice(this.i));
    if (!m) throw new Error(`surface signature '${this.s}': a name expected at ${this.i}`);
    this.i += m[0].length;
    return m[0];
  }

  /** Skips n characters (a default value read by the caller). */
  skip(n: number): void { this.i += n; }

  /** A type; names in `params` (the type's own, plus a generic method's) are type parameters. */
  type(params: readonly string[] = this.params): TypeRef {
    const raw = this.name();
    const simple = raw.includes('.') ? raw.slice(raw.lastIndexOf('.') + 1) : raw;
    let ty: TypeRef;
    if (params.includes(simple)) ty = { name: simple, args: [], param: true };
    else {
      const args: TypeRef[] = [];
      if (this.eat('<')) {
        do args.push(this.type(params)); while (this.eat(','));
        this.expect('>');
      }
      ty = { name: canonicalName(simple), args };
    }
    for (;;) {
      if (this.eat('[')) { this.expect(']'); ty = arrayOf(ty); continue; }
      if (this.peek() === '?') { this.i++; ty = nullableOf(ty); continue; }
      return ty;
    }
  }

  end(): void { if (this.peek() !== '') throw new Error(`surface signature '${this.s}': unexpected '${this.rest()}'`); }
}
