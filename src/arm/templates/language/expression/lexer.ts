// Tokens of the template expression language (the text between the outer `[` and `]`).
import { ExpressionError, Msg } from '../errors.js';

export type TokenKind =
  | 'LeftParenthesis' | 'RightParenthesis' | 'LeftSquareBracket' | 'RightSquareBracket'
  | 'Comma' | 'Dot' | 'Identifier' | 'Integer' | 'String' | 'EndOfData';

export interface Token { kind: TokenKind; text: string; value?: string | number; pos: number }

const PUNCT: Record<string, TokenKind> = {
  '(': 'LeftParenthesis', ')': 'RightParenthesis', '[': 'LeftSquareBracket', ']': 'RightSquareBracket', ',': 'Comma', '.': 'Dot',
};

export function tokenize(expr: string): Token[] {
  const out: Token[] = [];
  let i = 0;
  while (i < expr.length) {
    const c = expr[i]!;
    if (c === ' ' || c === '\t' || c === '\r' || c === '\n') { i++; continue; }
    const p = PUNCT[c];
    if (p) { out.push({ kind: p, text: c, pos: i }); i++; continue; }
    if (c === "'") {
      // Single-quoted; a quote inside is written twice.
      let s = '';
      let j = i + 1;
      for (;;) {
        if (j >= expr.length) throw new ExpressionError(Msg.parse(expr, `the string literal starting at position '${i}' is not terminated`));
        if (expr[j] === "'") {
          if (expr[j + 1] === "'") { s += "'"; j += 2; continue; }
          break;
        }
        s += expr[j];
        j++;
      }
      out.push({ kind: 'String', text: expr.slice(i, j + 1), value: s, pos: i });
      i = j + 1;
      continue;
    }
    const num = /^-?\d+/.exec(expr.slice(i));
    if (num) {
      const after = expr[i + num[0].length];
      if (after === '.' && /\d/.test(expr[i + num[0].length + 1] ?? '')) {
        throw new ExpressionError(Msg.parse(expr, `the floating point literal at position '${i}' is not supported; use json('${num[0]}.x')`));
      }
      const n = Number(num[0]);
      if (!Number.isSafeInteger(n)) throw new ExpressionError(Msg.parse(expr, `the integer literal '${num[0]}' at position '${i}' is out of range`));
      out.push({ kind: 'Integer', text: num[0], value: n, pos: i });
      i += num[0].length;
      continue;
    }
    const id = /^[A-Za-z_$][A-Za-z0-9_$]*/.exec(expr.slice(i));
    if (id) { out.push({ kind: 'Identifier', text: id[0], value: id[0], pos: i }); i += id[0].length; continue; }
    throw new ExpressionError(Msg.parse(expr, `the character '${c}' at position '${i}' is not expected`));
  }
  out.push({ kind: 'EndOfData', text: '', pos: expr.length });
  return out;
}
