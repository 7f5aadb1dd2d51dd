// OData `$filter` syntax: the subset Azure resource providers document — comparisons (eq, ne, gt, ge,
// lt, le), `and`, `or`, `not`, parentheses, string ('' quotes a quote), number, boolean and null
// literals, function calls (`startswith(name,'a')`) and the lambdas `any` / `all` over a collection
// (`tags/any(t: t eq 'x')`). Precedence as Microsoft's OData parser: or < and < comparison < not.
// Syntax errors carry Microsoft.OData's texts with a 0-based position: "Syntax error at position 5 in '...'.".
// What a filter means for a collection (which fields, operators, functions) is odata-filter-eval.ts.
// Shared by the planes that take `$filter`: Resource Manager (resources, API Management) and Microsoft Graph.

export type ComparisonOp = 'eq' | 'ne' | 'gt' | 'ge' | 'lt' | 'le';
export type LiteralValue = string | number | boolean | null;

export type FilterExpr =
  | { kind: 'literal'; value: LiteralValue; edmType: string; pos: number }
  | { kind: 'member'; path: string[]; pos: number }
  | { kind: 'compare'; op: ComparisonOp; left: FilterExpr; right: FilterExpr; pos: number }
  | { kind: 'logical'; op: 'and' | 'or'; left: FilterExpr; right: FilterExpr; pos: number }
  | { kind: 'not'; operand: FilterExpr; pos: number }
  | { kind: 'call'; name: string; args: FilterExpr[]; pos: number }
  | { kind: 'lambda'; fn: 'any' | 'all'; collection: string[]; variable?: string; body?: FilterExpr; pos: number };

/** A filter that cannot be parsed or bound; `position` is 0-based in the filter text (-1 when none applies). */
export class ODataFilterError extends Error {
  constructor(message: string, readonly position: number) {
    super(message);
    this.name = 'ODataFilterError';
  }
}

/** Microsoft.OData's parser messages (Microsoft.Data.OData / Microsoft.OData.Core resource strings). */
export const ODataSyntaxErrors = {
  syntax: (pos: number, text: string) => new ODataFilterError(`Syntax error at position ${pos} in '${text}'.`, pos),
  invalidCharacter: (c: string, pos: number, text: string) => new ODataFilterError(`Syntax error: character '${c}' is not valid at position ${pos} in '${text}'.`, pos),
  unterminatedString: (pos: number, text: string) => new ODataFilterError(`There is an unterminated string literal at position ${pos} in '${text}'.`, pos),
  expressionExpected: (pos: number, text: string) => new ODataFilterError(`Expression expected at position ${pos} in '${text}'.`, pos),
  closeParenOrOperator: (pos: number, text: string) => new ODataFilterError(`')' or operator expected at position ${pos} in '${text}'.`, pos),
  closeParenOrComma: (pos: number, text: string) => new ODataFilterError(`')' or ',' expected at position ${pos} in '${text}'.`, pos),
  tooDeep: (pos: number) => new ODataFilterError('Recursion depth exceeded allowed limit.', pos),
  /** Ours: OData operators the subset leaves out (arithmetic, has, in). */
  unsupportedOperator: (op: string, pos: number, text: string) => new ODataFilterError(`The operator '${op}' is not supported at position ${pos} in '${text}'. Supported operators: eq, ne, gt, ge, lt, le, and, or, not.`, pos),
};

type Token =
  | { kind: 'ident'; text: string; pos: number }
  | { kind: 'string'; value: string; pos: number }
  | { kind: 'number'; text: string; pos: number }
  | { kind: 'punct'; text: '(' | ')' | ',' | ':' | '/'; pos: number }
  | { kind: 'end'; pos: number };

const COMPARISONS: readonly string[] = ['eq', 'ne', 'gt', 'ge', 'lt', 'le'];
const UNSUPPORTED_OPERATORS: readonly string[] = ['has', 'in', 'add', 'sub', 'mul', 'div', 'divby', 'mod'];
const MAX_DEPTH = 100;

function tokenize(text: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  while (i < text.length) {
    const c = text[i];
    if (c === ' ' || c === '\t' || c === '\r' || c === '\n') { i++; continue; }
    const start = i;
    if (c === '(' || c === ')' || c === ',' || c === ':' || c === '/') { tokens.push({ kind: 'punct', text: c, pos: i }); i++; continue; }
    if (c === "'") {
      let value = '';
      i++;
      for (;;) {
        if (i >= text.length) throw ODataSyntaxErrors.unterminatedString(start, text);
        if (text[i] === "'") {
          if (text[i + 1] === "'") { value += "'"; i += 2; continue; }
          i++;
          break;
        }
        value += text[i++];
      }
      tokens.push({ kind: 'string', value, pos: start });
      continue;
    }
    const num = /^-?\d+(?:\.\d+)?(?:[eE][+-]?\d+)?/.exec(text.slice(i));
    if (num) {
      i += num[0].length;
      if (i < text.length && /[A-Za-z_]/.test(text[i])) throw ODataSyntaxErrors.syntax(start, text);
      tokens.push({ kind: 'number', text: num[0], pos: start });
      continue;
    }
    const id = /^[A-Za-z_$][A-Za-z0-9_]*/.exec(text.slice(i));
    if (id) { tokens.push({ kind: 'ident', text: id[0], pos: start }); i += id[0].length; continue; }
    throw ODataSyntaxErrors.invalidCharacter(c, i, text);
  }
  tokens.push({ kind: 'end', pos: text.length });
  return tokens;
}

function numberLiteral(t: { text: string; pos: number }): FilterExpr {
  const value = Number(t.text);
  const integral = /^-?\d+$/.test(t.text);
  const edmType = integral ? (Math.abs(value) <= 2147483647 ? 'Edm.Int32' : 'Edm.Int64') : /[eE]/.test(t.text) ? 'Edm.Double' : 'Edm.Decimal';
  return { kind: 'literal', value, edmType, pos: t.pos };
}

/** Parses a `$filter` expression; throws ODataFilterError with Microsoft.OData's message and the position. */
export function parseFilter(text: string): FilterExpr {
  const tokens = tokenize(text);
  let k = 0;
  let depth = 0;
  const peek = (): Token => tokens[k];
  const next = (): Token => tokens[k++];
  const isIdent = (t: Token, word: string): boolean => t.kind === 'ident' && t.text === word;
  const isPunct = (t: Token, p: string): boolean => t.kind === 'punct' && t.text === p;
  const deeper = <R>(pos: number, f: () => R): R => {
    if (++depth > MAX_DEPTH) throw ODataSyntaxErrors.tooDeep(pos);
    try { return f(); } finally { depth--; }
  };
  const rejectUnsupported = (t: Token): void => {
    if (t.kind === 'ident' && UNSUPPORTED_OPERATORS.includes(t.text)) throw ODataSyntaxErrors.unsupportedOperator(t.text, t.pos, text);
  };

  function parseOr(): FilterExpr {
    let left = parseAnd();
    while (isIdent(peek(), 'or')) {
      const op = next();
      left = { kind: 'logical', op: 'or', left, right: parseAnd(), pos: op.pos };
    }
    return left;
  }

  function parseAnd(): FilterExpr {
    let left = parseComparison();
    while (isIdent(peek(), 'and')) {
      const op = next();
      left = { kind: 'logical', op: 'and', left, right: parseComparison(), pos: op.pos };
    }
    return left;
  }

  function parseComparison(): FilterExpr {
    let left = parseUnary();
    for (;;) {
      const t = peek();
      rejectUnsupported(t);
      if (t.kind !== 'ident' || !COMPARISONS.includes(t.text)) return left;
      next();
      left = { kind: 'compare', op: t.text as ComparisonOp, left, right: parseUnary(), pos: t.pos };
    }
  }

  function parseUnary(): FilterExpr {
    const t = peek();
    if (isIdent(t, 'not')) {
      next();
      return deeper(t.pos, () => ({ kind: 'not', operand: parseUnary(), pos: t.pos }));
    }
    return parsePrimary();
  }

  function parseArgs(): FilterExpr[] {
    const args: FilterExpr[] = [];
    next(); // '('
    if (isPunct(peek(), ')')) { next(); return args; }
    for (;;) {
      args.push(parseOr());
      const t = next();
      if (isPunct(t, ')')) return args;
      if (!isPunct(t, ',')) throw ODataSyntaxErrors.closeParenOrComma(t.pos, text);
    }
  }

  function parseLambda(fn: 'any' | 'all', collection: string[], pos: number): FilterExpr {
    next(); // '('
    if (isPunct(peek(), ')')) { next(); return { kind: 'lambda', fn, collection, pos }; }
    const v = next();
    if (v.kind !== 'ident') throw ODataSyntaxErrors.syntax(v.pos, text);
    const colon = next();
    if (!isPunct(colon, ':')) throw ODataSyntaxErrors.syntax(colon.pos, text);
    const body = parseOr();
    const close = next();
    if (!isPunct(close, ')')) throw ODataSyntaxErrors.closeParenOrOperator(close.pos, text);
    return { kind: 'lambda', fn, collection, variable: v.text, body, pos };
  }

  function parsePrimary(): FilterExpr {
    const t = next();
    if (isPunct(t, '(')) {
      const inner = deeper(t.pos, parseOr);
      const close = next();
      if (!isPunct(close, ')')) throw ODataSyntaxErrors.closeParenOrOperator(close.pos, text);
      return inner;
    }
    if (t.kind === 'string') return { kind: 'literal', value: t.value, edmType: 'Edm.String', pos: t.pos };
    if (t.kind === 'number') return numberLiteral(t);
    if (t.kind !== 'ident') throw ODataSyntaxErrors.expressionExpected(t.pos, text);
    if (t.text === 'true' || t.text === 'false') return { kind: 'literal', value: t.text === 'true', edmType: 'Edm.Boolean', pos: t.pos };
    if (t.text === 'null') return { kind: 'literal', value: null, edmType: 'null', pos: t.pos };
    if (isPunct(peek(), '(')) return deeper(t.pos, () => ({ kind: 'call', name: t.text, args: parseArgs(), pos: t.pos }));
    const path = [t.text];
    while (isPunct(peek(), '/')) {
      next();
      const seg = next();
      if (seg.kind !== 'ident') throw ODataSyntaxErrors.syntax(seg.pos, text);
      if ((seg.text === 'any' || seg.text === 'all') && isPunct(peek(), '(')) return deeper(seg.pos, () => parseLambda(seg.text as 'any' | 'all', path, seg.pos));
      path.push(seg.text);
    }
    return { kind: 'member', path, pos: t.pos };
  }

  const expr = parseOr();
  const end = peek();
  rejectUnsupported(end);
  if (end.kind !== 'end') throw ODataSyntaxErrors.syntax(end.pos, text);
  return expr;
}
