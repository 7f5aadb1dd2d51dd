// API Management's policy documents are not strict XML: an attribute value or element text that starts
// with `@(` or `@{` is a C# expression, and real policies write it raw:
//   <when condition="@(context.Request.Method == "POST")">   <set-body>@{ if (a < b && c) ... }</set-body>
// Before the XML parser sees the document, this pass finds each expression (balanced parentheses or
// braces, skipping C# comments and string, char, verbatim and interpolated string literals) and masks it
// with a placeholder of the same length that keeps its line breaks, so the parser accepts the document
// and every later line and column is where it was. The expressions come back, decoded (an expression
// written with `&quot;`/`&lt;` reads as `"`/`<`), with their positions, in document order.

/** A placeholder starts with this character; the rest of it is FILL (and the expression's own line breaks). */
export const MARK = '\uE000';
const FILL = '\uE001';

export interface ScannedExpression {
  /** The C# text, entity references decoded, starting with `@(` or `@{`. */
  text: string;
  /** 1-based position of the `@`. */
  line: number;
  column: number;
}

export interface ScanResult {
  xml: string;
  expressions: ScannedExpression[];
}

export class ExpressionScanError extends Error {
  constructor(message: string, readonly line: number, readonly column: number) { super(message); }
}

const ENTITIES: Record<string, string> = { quot: '"', amp: '&', lt: '<', gt: '>', apos: "'" };

/** Decodes XML's predefined entities and character references (what the XML parser would have done). */
export function decodeEntities(s: string): string {
  if (!s.includes('&')) return s;
  return s.replace(/&(#x[0-9a-fA-F]{1,6}|#[0-9]{1,7}|quot|amp|lt|gt|apos);/g, (whole, e: string) => {
    if (e[0] !== '#') return ENTITIES[e];
    const cp = e[1] === 'x' ? parseInt(e.slice(2), 16) : parseInt(e.slice(1), 10);
    return cp <= 0x10ffff ? String.fromCodePoint(cp) : whole;
  });
}

export function scanExpressions(xml: string): ScanResult {
  if (!xml.includes('@')) return { xml, expressions: [] };
  return new Scanner(xml).run();
}

class Scanner {
  private i = 0;
  private readonly out: string[] = [];
  private copied = 0;
  readonly expressions: ScannedExpression[] = [];
  constructor(private readonly s: string) {}

  run(): ScanResult {
    const s = this.s;
    let textStart = 0; // where the current run of element text began
    while (this.i < s.length) {
      const c = s[this.i];
      if (c === '<') {
        if (s.startsWith('<!--', this.i)) this.skipPast('-->');
        else if (s.startsWith('<![CDATA[', this.i)) this.skipPast(']]>');
        else if (s.startsWith('<?', this.i) || s.startsWith('<!', this.i)) this.skipPast('>');
        else this.tag();
        textStart = this.i;
        continue;
      }
      if (c === '@' && textStart >= 0 && (s[this.i + 1] === '(' || s[this.i + 1] === '{') && s.slice(textStart, this.i).trim() === '') {
        this.expression();
        textStart = -1; // the rest of this text, up to the next tag, is not another expression
        continue;
      }
      this.i++;
    }
    this.out.push(s.slice(this.copied));
    return { xml: this.out.join(''), expressions: this.expressions };
  }

  private skipPast(end: string): void {
    const k = this.s.indexOf(end, this.i);
    this.i = k < 0 ? this.s.length : k + end.length;
  }

  /** A start or end tag: attribute values may be expressions. */
  private tag(): void {
    const s = this.s;
    this.i++;
    while (this.i < s.length) {
      const c = s[this.i];
      if (c === '>') { this.i++; return; }
      if (c === '<') return; // malformed: the XML parser reports it
      if (c === '"' || c === "'") {
        this.i++;
        let k = this.i;
        while (k < s.length && /\s/.test(s[k])) k++;
        if (s[k] === '@' && (s[k + 1] === '(' || s[k + 1] === '{')) { this.i = k; this.expression(); }
        const close = s.indexOf(c, this.i);
        this.i = close < 0 ? s.length : close + 1;
        continue;
      }
      this.i++;
    }
  }

  /** At `@(` or `@{`: reads to the matching close and masks it. */
  private expression(): void {
    const s = this.s;
    const start = this.i;
    const reader = new CSharpReader(s, start + 1);
    const end = reader.balanced();
    if (end < 0) {
      const { line, column } = position(s, start);
      throw new ExpressionScanError(`The expression starting here is not closed: '${s[start + 1] === '(' ? ')' : '}'}' expected.`, line, column);
    }
    const { line, column } = position(s, start);
    this.expressions.push({ text: decodeEntities(s.slice(start, end)), line, column });
    this.out.push(s.slice(this.copied, start), MARK, s.slice(start + 1, end).replace(/[^\r\n]/g, FILL));
    this.copied = end;
    this.i = end;
  }
}

export function position(s: string, offset: number): { line: number; column: number } {
  let line = 1;
  let lineStart = 0;
  for (let k = s.indexOf('\n'); k >= 0 && k < offset; k = s.indexOf('\n', k + 1)) { line++; lineStart = k + 1; }
  return { line, column: offset - lineStart + 1 };
}

/**
 * Reads C# just enough to find where a bracketed region ends: brackets nest, and comments, string,
 * char, verbatim and interpolated string literals are skipped. It reads "logical characters": an XML
 * entity reference (`&quot;`) counts as the character it stands for, so escaped expressions balance too.
 */
class CSharpReader {
  constructor(private readonly s: string, private i: number) {}

  /** The character at i and the length of its text. */
  private at(k: number): [string, number] {
    const c = this.s[k];
    if (c !== '&') return [c, 1];
    const m = /^&(#x[0-9a-fA-F]{1,6}|#[0-9]{1,7}|quot|amp|lt|gt|apos);/.exec(this.s.slice(k, k + 12));
    return m ? [decodeEntities(m[0]), m[0].length] : [c, 1];
  }

  /** At an opening bracket: the offset just past its match, or -1. */
  balanced(): number {
    const closers: string[] = [];
    const open: Record<string, string> = { '(': ')', '{': '}', '[': ']' };
    while (this.i < this.s.length) {
      const [c, n] = this.at(this.i);
      if (open[c]) { closers.push(open[c]); this.i += n; continue; }
      if (c === ')' || c === '}' || c === ']') {
        if (closers.pop() !== c) return -1;
        this.i += n;
        if (closers.length === 0) return this.i;
        continue;
      }
      if (!this.skipLiteralOrComment()) this.i += n;
    }
    return -1;
  }

  /** Skips a literal or comment starting at i; false when none starts there. */
  private skipLiteralOrComment(): boolean {
    const [c, n] = this.at(this.i);
    const c2 = this.i + n < this.s.length ? this.at(this.i + n)[0] : "";
    if (c === '/' && c2 === '/') { const k = this.s.indexOf('\n', this.i); this.i = k < 0 ? this.s.length : k; return true; }
    if (c === '/' && c2 === '*') { const k = this.s.indexOf('*/', this.i + 2); this.i = k < 0 ? this.s.length : k + 2; return true; }
    if (c === "'") { this.i += n; this.quoted("'", false); return true; }
    if (c === '"') { this.i += n; this.quoted('"', false); return true; }
    // Prefixes: @"...", $"...", $@"...", @$"...".
    let k = this.i;
    let verbatim = false;
    let interpolated = false;
    for (let j = 0; j < 2; j++) {
      const [p, pn] = this.at(k);
      if (p === '@' && !verbatim) { verbatim = true; k += pn; continue; }
      if (p === '$' && !interpolated) { interpolated = true; k += pn; continue; }
      break;
    }
    if ((verbatim || interpolated) && this.at(k)[0] === '"') {
      this.i = k + this.at(k)[1];
      this.quoted('"', verbatim, interpolated);
      return true;
    }
    return false;
  }

  /** Inside a literal, after its opening quote: to just past the closing one. */
  private quoted(q: string, verbatim: boolean, interpolated = false): void {
    while (this.i < this.s.length) {
      const [c, n] = this.at(this.i);
      if (!verbatim && c === '\\') { this.i += n; if (this.i < this.s.length) this.i += this.at(this.i)[1]; continue; }
      if (c === q) {
        this.i += n;
        if (verbatim && this.i < this.s.length && this.at(this.i)[0] === q) { this.i += this.at(this.i)[1]; continue; }
        return;
      }
      if (interpolated && c === '{') {
        this.i += n;
        if (this.at(this.i)[0] === '{') { this.i += this.at(this.i)[1]; continue; }
        // A hole: code up to its closing brace (which may hold strings and braces of its own).
        this.i -= n;
        const end = this.balanced();
        if (end < 0) { this.i = this.s.length; return; }
        this.i = end;
        continue;
      }
      if (!verbatim && (c === '\n')) return; // unterminated regular literal: stop at the line's end
      this.i += n;
    }
  }
}
