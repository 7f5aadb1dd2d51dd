// Parses one template expression into a tree: calls, string and integer literals, `.property` and
// `[index]` accessors. Whether a JSON string is an expression at all is decided by isExpression.
import { ExpressionError, Msg } from '../errors.js';
import { tokenize, type Token, type TokenKind } from './lexer.js';

export type Expr =
  | { kind: 'string'; value: string }
  | { kind: 'int'; value: number }
  | { kind: 'call'; name: string; args: Expr[] }
  | { kind: 'property'; target: Expr; name: string }
  | { kind: 'index'; target: Expr; index: Expr };

/** `[...]` is an expression; `[[...` is the literal `[...` (the escape); anything else is text. */
export function isExpression(s: string): boolean {
  return s.length >= 2 && s.startsWith('[') && s.endsWith(']') && !s.startsWith('[[');
}

/** The literal a non-expression string stands for (`[[x]` → `[x]`). */
export function unescapeLiteral(s: string): string {
  return s.startsWith('[[') && s.endsWith(']') ? s.slice(1) : s;
}

const MAX_DEPTH = 100;
const cache = new Map<string, Expr>();

/** Parses the text inside the outer brackets. Parsed trees are cached (templates repeat expressions). */
export function parseExpression(expr: string): Expr {
  const hit = cache.get(expr);
  if (hit) return hit;
  const tokens = tokenize(expr);
  let k = 0;
  const peek = (): Token => tokens[k]!;
  const expect = (kind: TokenKind): Token => {
    const t = peek();
    if (t.kind !== kind) throw new ExpressionError(Msg.parse(expr, `expected token '${kind}' and actual '${t.kind}'`));
    k++;
    return t;
  };

  function primary(depth: number): Expr {
    if (depth > MAX_DEPTH) throw new ExpressionError(Msg.parse(expr, 'the expression is nested too deeply'));
    const t = peek();
    if (t.kind === 'String') { k++; return { kind: 'string', value: t.value as string }; }
    if (t.kind === 'Integer') { k++; return { kind: 'int', value: t.value as number }; }
    if (t.kind === 'Identifier') {
      k++;
      let name = t.text;
      // User-defined functions are namespaced: ns.fn(...)
      if (peek().kind === 'Dot' && tokens[k + 1]?.kind === 'Identifier' && tokens[k + 2]?.kind === 'LeftParenthesis') {
        k++;
        name = `${name}.${expect('Identifier').text}`;
      }
      expect('LeftParenthesis');
      const args: Expr[] = [];
      if (peek().kind !== 'RightParenthesis') {
        for (;;) {
          args.push(accessors(primary(depth + 1), depth + 1));
          if (peek().kind === 'Comma') { k++; continue; }
          break;
        }
      }
      expect('RightParenthesis');
      return { kind: 'call', name, args };
    }
    throw new ExpressionError(Msg.parse(expr, `expected token 'Identifier' and actual '${t.kind}'`));
  }

  function accessors(target: Expr, depth: number): Expr {
    for (;;) {
      const t = peek();
      if (t.kind === 'Dot') {
        k++;
        target = { kind: 'property', target, name: expect('Identifier').text };
      } else if (t.kind === 'LeftSquareBracket') {
        k++;
        const index = accessors(primary(depth + 1), depth + 1);
        expect('RightSquareBracket');
        target = { kind: 'index', target, index };
      } else return target;
    }
  }

  const tree = accessors(primary(0), 0);
  expect('EndOfData');
  if (cache.size > 10_000) cache.clear();
  cache.set(expr, tree);
  return tree;
}
