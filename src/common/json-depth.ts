// The nesting depth of a JSON text, counted without parsing it (one pass, no recursion), so a body
// nested 20,000 levels deep is refused before JSON.parse or any recursive walk of the value sees it.
// 64 is System.Text.Json's default MaxDepth, the limit Resource Manager's own deserializer applies.
export const MAX_JSON_DEPTH = 64;

/** The first position where `text` nests deeper than `max` (objects and arrays), or -1. */
export function jsonDepthExceededAt(text: string, max = MAX_JSON_DEPTH): number {
  let depth = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === 0x5c) i++; // backslash: skip the escaped character
      else if (c === 0x22) inString = false;
      continue;
    }
    if (c === 0x22) inString = true;
    else if (c === 0x7b || c === 0x5b) { if (++depth > max) return i; }
    else if (c === 0x7d || c === 0x5d) depth--;
  }
  return -1;
}
