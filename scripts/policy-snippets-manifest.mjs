#!/usr/bin/env node
// Copies every policy file of Azure/api-management-policy-snippets into test/fixtures/policy-snippets/
// (byte for byte, same relative paths) and writes manifest.json describing each one.
//
//   node scripts/policy-snippets-manifest.mjs [path of the repository's git dir] [commit]
//
// The git dir is what the session's `fetch` tool returns (a bare repository); the default is the usual
// mirror path. "Well-formed by Azure's rules": XML well-formed once every `@(...)` / `@{...}` policy
// expression in an attribute value or element text is taken as opaque (balanced brackets, honouring C#
// string, verbatim, interpolated and char literals and comments). This scanner is deliberately simple
// (it only classifies fixtures); the gateway's real policy document reader lives in src/gateway/.
import { execFileSync } from 'node:child_process';
import { mkdirSync, writeFileSync, rmSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { SaxesParser } from 'saxes';

const REPO = 'Azure/api-management-policy-snippets';
const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const gitDir = process.argv[2] ?? '/work/.mirror/Azure+api-management-policy-snippets/repo';
const git = (...args) => execFileSync('git', ['--git-dir', gitDir, ...args], { maxBuffer: 64 << 20 });
const commit = (process.argv[3] ?? git('rev-parse', 'HEAD').toString().trim());
const outDir = join(root, 'test/fixtures/policy-snippets');

// ---- expressions ----

/** The length of a double quote at i: `"` or the entity `&quot;` (expressions written entity-escaped). */
function quoteAt(s, i) {
  if (s[i] === '"') return 1;
  return s.startsWith('&quot;', i) ? 6 : 0;
}

/**
 * Index just past a C# string literal whose opening quote (length q) is at i: regular, verbatim (`""`
 * escapes a quote) or interpolated (`{...}` holes are code, `{{` is a brace), or -1.
 */
function skipString(s, i, q, verbatim, interpolated = false) {
  for (let j = i + q; j < s.length;) {
    const qq = quoteAt(s, j);
    if (qq) {
      if (verbatim && quoteAt(s, j + qq)) { j += qq + quoteAt(s, j + qq); continue; }
      return j + qq;
    }
    if (interpolated && s[j] === '{') {
      if (s[j + 1] === '{') { j += 2; continue; }
      j = skipCode(s, j + 1, '}');
      if (j < 0) return -1;
      continue;
    }
    j += !verbatim && s[j] === '\\' ? 2 : 1;
  }
  return -1;
}

const CLOSE = { '(': ')', '{': '}', '[': ']' };

/** Scans C# code from i until the bracket `closer` at depth 0; returns the index past it, or -1. */
function skipCode(s, i, closer) {
  const stack = [closer];
  let j = i;
  while (j < s.length) {
    const c = s[j];
    let q;
    if ((c === '$' || c === '@') && (s[j + 1] === '$' || s[j + 1] === '@') && (q = quoteAt(s, j + 2))) { j = skipString(s, j + 2, q, true, true); }
    else if (c === '$' && (q = quoteAt(s, j + 1))) { j = skipString(s, j + 1, q, false, true); }
    else if (c === '@' && (q = quoteAt(s, j + 1))) { j = skipString(s, j + 1, q, true); }
    else if ((q = quoteAt(s, j))) { j = skipString(s, j, q, false); }
    else if (c === "'") {
      let k = j + 1;
      while (k < s.length && s[k] !== "'") k += s[k] === '\\' ? 2 : 1;
      j = k < s.length ? k + 1 : -1;
    } else if (c === '/' && s[j + 1] === '/') { const k = s.indexOf('\n', j); j = k < 0 ? s.length : k; }
    else if (c === '/' && s[j + 1] === '*') { const k = s.indexOf('*/', j + 2); j = k < 0 ? -1 : k + 2; }
    else if (c === '(' || c === '{' || c === '[') { stack.push(CLOSE[c]); j++; }
    else if (c === ')' || c === '}' || c === ']') {
      if (stack.pop() !== c) return -1;
      j++;
      if (stack.length === 0) return j;
    } else j++;
    if (j < 0) return -1;
  }
  return -1;
}

const isExprStart = (s, i) => s[i] === '@' && (s[i + 1] === '(' || s[i + 1] === '{');

/**
 * Replaces every expression in attribute values and element text by an opaque `@(expression)`, so a
 * conforming XML parser can read the rest. Returns { xml, count } or { error } for an expression whose
 * brackets never close (or an attribute that does not end right after its expression).
 */
export function maskExpressions(src) {
  let out = '';
  let count = 0;
  let i = 0;
  const ws = (k) => { while (k < src.length && /\s/.test(src[k])) k++; return k; };
  const expr = (k) => {
    const end = skipCode(src, k + 2, src[k + 1] === '(' ? ')' : '}');
    if (end < 0) throw new Error(`unbalanced policy expression at offset ${k}`);
    count++;
    return end;
  };
  try {
    while (i < src.length) {
      if (src.startsWith('<!--', i)) { const k = src.indexOf('-->', i); const e = k < 0 ? src.length : k + 3; out += src.slice(i, e); i = e; continue; }
      if (src.startsWith('<![CDATA[', i)) { const k = src.indexOf(']]>', i); const e = k < 0 ? src.length : k + 3; out += src.slice(i, e); i = e; continue; }
      if (src.startsWith('<?', i) || src.startsWith('<!', i)) { const k = src.indexOf('>', i); const e = k < 0 ? src.length : k + 1; out += src.slice(i, e); i = e; continue; }
      if (src[i] === '<') {
        // A tag: copy up to each attribute value; an expression value becomes opaque.
        let j = i + 1;
        while (j < src.length && src[j] !== '>') {
          const c = src[j];
          if (c === '"' || c === "'") {
            const v = ws(j + 1);
            if (isExprStart(src, v)) {
              const end = expr(v);
              const close = ws(end);
              if (src[close] !== c) throw new Error(`attribute value does not end after its policy expression at offset ${v}`);
              out += src.slice(i, j + 1) + '@(expression)' + c;
              i = j = close + 1;
              continue;
            }
            const k = src.indexOf(c, j + 1);
            j = k < 0 ? src.length : k + 1;
            continue;
          }
          j++;
        }
        const e = Math.min(j + 1, src.length);
        out += src.slice(i, e);
        i = e;
        continue;
      }
      // Text up to the next markup; an expression starts it (after white space) or follows a tag.
      const v = ws(i);
      if (isExprStart(src, v)) {
        const end = expr(v);
        out += src.slice(i, v) + '@(expression)';
        i = end;
        continue;
      }
      const k = src.indexOf('<', i);
      const e = k < 0 ? src.length : k;
      out += src.slice(i, e);
      i = e;
    }
  } catch (e) {
    return { error: e.message };
  }
  return { xml: out, count };
}

// ---- the document ----

/** Parses masked XML into a tree of { name, attrs, text, children }; throws with saxes' message. */
function parse(xml) {
  const p = new SaxesParser({ position: true });
  const stack = [];
  let top;
  let error;
  p.on('error', (e) => { error ??= e; });
  p.on('opentag', (t) => {
    const attrs = {};
    for (const [k, v] of Object.entries(t.attributes)) attrs[k] = typeof v === 'string' ? v : v.value;
    const n = { name: t.name, attrs, text: '', children: [] };
    if (stack.length) stack[stack.length - 1].children.push(n); else top ??= n;
    if (!t.isSelfClosing) stack.push(n);
  });
  p.on('closetag', (t) => { if (!t.isSelfClosing) stack.pop(); });
  const text = (s) => { if (stack.length) stack[stack.length - 1].text += s; };
  p.on('text', text);
  p.on('cdata', text);
  try { p.write(xml).close(); } catch (e) { error ??= e; }
  if (error) throw error;
  return top;
}

const SECTIONS = ['inbound', 'backend', 'outbound', 'on-error'];
/** Policies whose children are policies (APIM's `retry`, `wait`, `limit-concurrency`), and choose's branches. */
const CONTAINERS = new Set(['retry', 'wait', 'limit-concurrency']);
const BRANCHES = { choose: ['when', 'otherwise'] };

/** Element names used as policies, in order of first use (`base` excluded). */
function policyNames(doc) {
  const names = [];
  const visit = (list) => {
    for (const n of list) {
      if (n.name === 'base') continue;
      if (!names.includes(n.name)) names.push(n.name);
      if (CONTAINERS.has(n.name)) visit(n.children);
      const branches = BRANCHES[n.name];
      if (branches) for (const b of n.children) if (branches.includes(b.name)) visit(b.children);
    }
  };
  if (doc.name === 'policies') for (const s of doc.children) visit(s.children);
  else visit(doc.children);
  return names;
}

/** API Management's rule for a named value's name (displayName). */
const NAMED_VALUE_NAME = /^[A-Za-z0-9._-]+$/;

/** Every attribute value and text in the tree (for `...` placeholders). */
function* strings(n) {
  yield* Object.values(n.attrs);
  yield n.text;
  for (const c of n.children) yield* strings(c);
}

/**
 * Needs services outside apim-local and this test's echo backend: outbound calls, identity providers,
 * Key Vault, Event Hubs, caches, AI backends. Decided from the policies used, plus the notes below.
 */
const EXTERNAL_POLICIES = new Set([
  'send-request', 'send-one-way-request', 'log-to-eventhub', 'authentication-managed-identity', 'authentication-certificate',
  'validate-azure-ad-token', 'get-authorization-context', 'cache-lookup', 'cache-store', 'cache-lookup-value', 'cache-store-value',
  'cache-remove-value', 'invoke-dapr-binding', 'publish-to-dapr', 'set-backend-service',
]);

function external(doc, policies) {
  if (policies.some((p) => EXTERNAL_POLICIES.has(p) || p.startsWith('azure-openai-') || p.startsWith('llm-'))) return true;
  let found = false;
  const walk = (n) => {
    if (n.name === 'openid-config') found = true;
    n.children.forEach(walk);
  };
  walk(doc);
  return found;
}

// ---- run ----

const files = git('ls-tree', '-r', '-z', '--name-only', commit).toString().split('\0').filter(Boolean);
const KNOWN_FAULTS = {
  'examples/Return a blob URL signed with a user delegation SAS token.xml': 'not valid C#: DateTime.AddSeconds(double) is passed a string ((string)context.Request.MatchedParameters[...]), which C# does not convert implicitly (CS1503)',
  'examples/Generate Azure Relay Token.policy.xml': 'set-backend-service base-url="" is a placeholder: an empty base URL is not an absolute URL',
  'examples/GET a file from blobStorage account.xml': "set-header name=\"{MyMetadataName1}\" is a placeholder: a header name must be an HTTP token, so API Management refuses the document",
  'examples/PUT a file to blobStorage account.xml': "set-header name=\"x-ms-meta-{MyMetadataName1}\" is a placeholder: a header name must be an HTTP token, so API Management refuses the document",
};
const skipped = files.filter((f) => !/\.xml$/i.test(f)).map((path) => ({ path, reason: skipReason(path) }));
function skipReason(path) {
  if (/\.md$/i.test(path)) return 'documentation (Markdown), not a policy document';
  if (/\.png$/i.test(path)) return 'image';
  if (path === 'vscode-snippets/xml.json') return 'VS Code snippet definitions (JSON with ${n:placeholder} bodies), not a policy document';
  return 'not an XML policy document';
}

rmSync(outDir, { recursive: true, force: true });
const entries = [];
for (const path of files.filter((f) => /\.xml$/i.test(f))) {
  const bytes = git('show', `${commit}:${path}`);
  const dest = join(outDir, path);
  mkdirSync(dirname(dest), { recursive: true });
  writeFileSync(dest, bytes);

  const src = bytes.toString('utf8').replace(/^\uFEFF/, '');
  const masked = maskExpressions(src);
  const entry = { path, repo: REPO, commit, kind: 'other', policies: [], usesExpressions: false, wellFormed: true, namedValues: [] };
  entry.usesExpressions = masked.error !== undefined || masked.count > 0;
  let doc;
  if (masked.error) entry.wellFormed = { reason: masked.error };
  else if (src.includes('="""')) {
    // Some files went through a conversion that rewrote C# string literals as attributes: "patch" became
    // "patch=""" (then closed by the literal's own quote). The brackets still balance, but it is not C#.
    entry.wellFormed = { reason: 'its expressions are not C#: string literals were mangled into attribute-like text ("x="""), which API Management refuses' };
  }
  // Files whose fault only a C# compiler or the policy's own rules find, checked by hand (see #11's fixtures).
  if (entry.wellFormed === true && KNOWN_FAULTS[path]) entry.wellFormed = { reason: KNOWN_FAULTS[path] };
  if (!masked.error) {
    try { doc = parse(masked.xml); } catch (e) { entry.wellFormed = { reason: `not well-formed XML: ${e.message}` }; }
  }
  const rootName = doc?.name ?? src.replace(/<!--[\s\S]*?-->/g, '').match(/<([A-Za-z_][\w.-]*)/)?.[1];
  entry.kind = rootName === 'policies' ? 'policies' : rootName === 'fragment' ? 'fragment' : 'other';
  if (doc) {
    entry.policies = policyNames(doc);
    const all = [...strings(doc)];
    // {{named values}} are substituted everywhere (expressions included) but in comments and Liquid bodies.
    const refsIn = src.replace(/<!--[\s\S]*?-->/g, '').replace(/<set-body\b[^>]*\btemplate\s*=\s*["']liquid["'][^>]*>[\s\S]*?<\/set-body>/gi, '');
    entry.namedValues = [...new Set([...refsIn.matchAll(/\{\{([^{}]*)\}\}/g)].map((m) => m[1].trim()))];
    const badName = entry.namedValues.find((n) => !NAMED_VALUE_NAME.test(n));
    if (entry.wellFormed === true && badName !== undefined) {
      entry.wellFormed = { reason: `contains the placeholder {{${badName}}}: no named value can have that name (letters, digits, '.', '-', '_'), so API Management refuses the document` };
    }
    if (entry.wellFormed === true && all.some((s) => s.trim() === '...')) entry.wellFormed = { reason: "contains '...' placeholders to fill in" };
    if (entry.wellFormed === true && doc.name === 'policies' && doc.children.some((c) => !SECTIONS.includes(c.name))) {
      entry.wellFormed = { reason: `'policies' has a child that is not a section: ${doc.children.find((c) => !SECTIONS.includes(c.name)).name}` };
    }
    if (external(doc, entry.policies)) entry.external = true;
    // Liquid templates (set-body template="liquid") are a feature of their own, not an expression.
    if (/<set-body\b[^>]*\btemplate\s*=\s*["']liquid["']/i.test(src.replace(/<!--[\s\S]*?-->/g, ''))) entry.liquid = true;
  }
  entries.push(entry);
}
for (const e of entries) if (!e.namedValues.length) delete e.namedValues;

const manifest = {
  repo: REPO, commit,
  generatedBy: 'scripts/policy-snippets-manifest.mjs',
  skipped,
  files: entries,
};
writeFileSync(join(outDir, 'manifest.json'), `${JSON.stringify(manifest, null, 2)}\n`);
const count = (f) => entries.filter(f).length;
console.log(`${entries.length} files (${skipped.length} skipped), ${count((e) => e.usesExpressions)} with expressions, `
  + `${count((e) => e.wellFormed !== true)} not well-formed, ${count((e) => e.external)} external`);
