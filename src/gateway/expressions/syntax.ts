// C# syntax trees from tree-sitter-c-sharp (WASM, loaded once when the gateway module loads). An
// expression is parsed inside a method of its own: `@(x)` as `return (x);`, `@{ ... }` as the method's
// body, so the grammar's full C# applies, and node positions map back to the expression's text.
import { createRequire } from 'node:module';
import { Language, Parser, type Node, type Tree } from 'web-tree-sitter';

await Parser.init();
const language = await Language.load(createRequire(import.meta.url).resolve('tree-sitter-c-sharp/tree-sitter-c_sharp.wasm'));
const parser = new Parser();
parser.setLanguage(language);

export type { Node };

/** A problem in an expression, at a 1-based line and column of the expression's text. */
export class ExpressionError extends Error {
  constructor(message: string, readonly line: number, readonly column: number) { super(message); }
}

const PREFIX_EXPRESSION = 'class __E { object __M() { return ';
const PREFIX_BLOCK = 'class __E { object __M() ';

export interface ParsedExpression {
  /** `@(...)`: the expression; `@{...}`: the block. */
  readonly root: Node;
  readonly block: boolean;
  /** Frees the tree (WASM memory): call when compiled. */
  dispose(): void;
  /** Where a node starts in the expression's text (1-based). */
  position(node: Node): { line: number; column: number };
}

/** Parses `@(...)` or `@{...}`; a syntax error is an ExpressionError at its position. */
export function parseExpression(text: string): ParsedExpression {
  const block = text.startsWith('@{');
  const prefix = block ? PREFIX_BLOCK : PREFIX_EXPRESSION;
  const source = `${prefix}${text.slice(1)}${block ? '' : '; }'} }`;
  const tree = parser.parse(source);
  if (!tree) throw new ExpressionError('The expression could not be parsed.', 1, 1);
  // Row 0 holds the prefix, then the text from its second character (the `(` or `{` after `@`).
  const position = (node: Node) => {
    const { row, column } = node.startPosition;
    return row === 0 ? { line: 1, column: column - prefix.length + 2 } : { line: row + 1, column: column + 1 };
  };
  try {
    const body = methodBody(tree);
    const error = firstError(tree.rootNode);
    if (error) {
      const where = position(error);
      const message = error.isMissing ? `'${error.type}' expected.` : `Syntax error near '${error.text.slice(0, 40)}'.`;
      throw new ExpressionError(message, where.line, where.column);
    }
    if (!body) throw new ExpressionError('The expression could not be parsed.', 1, 1);
    let root = body;
    if (!block) {
      // return_statement → parenthesized_expression → the expression.
      const ret = body.namedChildren[0];
      const paren = ret?.namedChildren[0];
      if (ret?.type !== 'return_statement' || paren?.type !== 'parenthesized_expression' || body.namedChildren.length !== 1) {
        throw new ExpressionError('Syntax error: the expression does not end where its parentheses close.', 1, 1);
      }
      root = paren.namedChildren[0] ?? paren;
    }
    return { root, block, position, dispose: () => tree.delete() };
  } catch (e) {
    tree.delete();
    throw e;
  }
}

function methodBody(tree: Tree): Node | undefined {
  const cls = tree.rootNode.namedChildren[0];
  const decls = cls?.childForFieldName('body');
  const method = decls?.namedChildren[0];
  if (tree.rootNode.namedChildren.length !== 1 || decls?.namedChildren.length !== 1 || method?.type !== 'method_declaration') return undefined;
  return method.childForFieldName('body') ?? undefined;
}

function firstError(node: Node): Node | undefined {
  if (!node.hasError && !node.isMissing) return undefined;
  if (node.isMissing || node.type === 'ERROR') {
    // The innermost error is the most precise place.
    for (const child of node.children) { const e = child && firstError(child); if (e) return e; }
    return node;
  }
  for (const child of node.children) { const e = child && firstError(child); if (e) return e; }
  return node;
}
