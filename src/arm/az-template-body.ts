// The body az sends for a template deployment (create, validate, what-if): azure-cli's
// JsonCTemplatePolicy serializes everything but the template, cuts the closing `}}` and splices the
// template file's text in unquoted: `{"properties": {"parameters": {}, "mode": "Incremental", template:<file>}}`,
// so templates with comments reach ARM as written. ARM's reader (Newtonsoft) takes unquoted names and
// comments; this reads that one shape, and nothing else that strict JSON refuses.

const MARK = ', template:';

type Json = Record<string, unknown>;
const isObject = (v: unknown): v is Json => v !== null && typeof v === 'object' && !Array.isArray(v);

/** The body as ARM reads it, or undefined when `text` is not az's splice. */
export function readAzTemplateSplice(text: string): Json | undefined {
  const body = text.trimEnd();
  if (!body.endsWith('}}')) return undefined;
  // A parameter value may hold the mark too: each occurrence is tried, the first that reads wins.
  for (let i = body.indexOf(MARK); i >= 0; i = body.indexOf(MARK, i + 1)) {
    let head: unknown;
    let template: unknown;
    try {
      head = JSON.parse(body.slice(0, i) + '}}');
      template = JSON.parse(withoutComments(body.slice(i + MARK.length, -2).replace(/^\s*\uFEFF/, '')));
    } catch {
      continue;
    }
    // The cut `}}` closed the outer object's last member (properties) and the outer object.
    if (!isObject(head) || !isObject(template)) continue;
    const last = Object.keys(head).at(-1);
    const inner = last === undefined ? undefined : head[last];
    if (!isObject(inner) || 'template' in inner) continue;
    inner.template = template;
    return head;
  }
  return undefined;
}

/** JSON with `//` and `/* *\/` comments (outside strings) blanked out, positions kept. */
export function withoutComments(text: string): string {
  let out = '';
  let i = 0;
  while (i < text.length) {
    const c = text[i];
    if (c === '"') {
      // A string, escapes included, copied as is.
      let j = i + 1;
      while (j < text.length && text[j] !== '"') j += text[j] === '\\' ? 2 : 1;
      out += text.slice(i, j + 1);
      i = j + 1;
    } else if (c === '/' && text[i + 1] === '/') {
      let j = i;
      while (j < text.length && text[j] !== '\n') j++;
      out += ' '.repeat(j - i);
      i = j;
    } else if (c === '/' && text[i + 1] === '*') {
      const end = text.indexOf('*/', i + 2);
      const j = end < 0 ? text.length : end + 2;
      out += text.slice(i, j).replace(/[^\n]/g, ' ');
      i = j;
    } else {
      out += c;
      i++;
    }
  }
  return out;
}
