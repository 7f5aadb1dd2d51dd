// The XML schemas (XSD) of an instance for validate-content's validate-as="xml" and "soap" (Microsoft Learn,
// "Validate content"): the global schemas of type xml (`schemas`, by schema-id) and the APIs' XML schemas
// (`apis/{api}/schemas` of content type xsd+xml, the API definition's default). Validation is libxml2's
// (libxml2-wasm: WebAssembly, no native build), loaded on first use.
//
// An API schema may also be a WSDL (its `types`) or WADL grammars document: the XML schemas in it are
// served at /apis/{api}/schemas/{id}/{n} and imported (included, without a target namespace) by a schema
// compiled for the document, with the namespaces they inherit from the WSDL declared on them.
//
// A schema may include or import another schema of the instance by its address, as APIM documents:
// `<xs:include schemaLocation="/schemas/myschema" />` (a relative location resolves against the schema's
// own address, /schemas/{id} or /apis/{api}/schemas/{id}). Nothing else is ever loaded: the only input
// provider answers from the instance's schemas, the WebAssembly module has no file system or network of
// its own, parsing never loads external entities, and a message with a DTD is refused (as .NET's readers
// refuse one) before it is validated.
import type { SchemaConfig } from '../../config.js';
import { SchemaLookupError } from './json-schemas.js';

type Libxml = typeof import('libxml2-wasm');
type XsdValidator = import('libxml2-wasm').XsdValidator;
type XmlElement = import('libxml2-wasm').XmlElement;
type ErrorDetail = import('libxml2-wasm').ErrorDetail;

let loading: Promise<Libxml> | undefined;

/** The schema text a location names, for the compilation under way (synchronous, so one at a time). */
let resolving: ((location: string) => string | undefined) | undefined;
/** Bound on the documents one compilation may load (includes of includes). */
const MAX_LOADS = 100;
let loads = 0;
const open = new Map<number, { data: Buffer; at: number }>();
let nextFd = 1;

/** libxml2-wasm, loaded once (its WebAssembly takes a while: only instances that validate XML pay for it). */
export function loadLibxml(): Promise<Libxml> {
  loading ??= import('libxml2-wasm').then((m) => {
    // Every location libxml2 asks for comes here; what is not an instance schema fails to load.
    m.xmlRegisterInputProvider({
      match: () => true,
      open: (location) => {
        const text = resolving && ++loads <= MAX_LOADS ? resolving(location) : undefined;
        if (text === undefined) return undefined;
        const fd = nextFd++;
        open.set(fd, { data: Buffer.from(text, 'utf8'), at: 0 });
        return fd;
      },
      read: (fd, buf) => {
        const f = open.get(fd);
        if (!f) return -1;
        const n = Math.min(buf.byteLength, f.data.length - f.at);
        f.data.copy(buf, 0, f.at, f.at + n);
        f.at += n;
        return n;
      },
      close: (fd) => open.delete(fd),
    });
    return m;
  });
  return loading;
}

const XSD_NS = 'http://www.w3.org/2001/XMLSchema';
const SOAP_ENVELOPES = new Set(['http://schemas.xmlsoap.org/soap/envelope/', 'http://www.w3.org/2003/05/soap-envelope']);

/** Parse options: no network, no external entities (and so no external DTD). */
const parseOption = (m: Libxml) => m.ParseOption.XML_PARSE_NONET | m.ParseOption.XML_PARSE_NO_XXE;

/** libxml2's diagnostics in one message, with the line (and column) as .NET's XML errors give them. */
function describe(details: readonly ErrorDetail[], fallback: string): string {
  const d = details.find((x) => x.level >= 2) ?? details[0];
  if (!d) return fallback;
  const where = d.line > 0 ? (d.col > 0 ? ` Line ${d.line}, position ${d.col}.` : ` Line ${d.line}.`) : '';
  const message = d.message.trim();
  return `${message}${/[.!?)]$/.test(message) ? '' : '.'}${where}`;
}

const errorText = (m: Libxml, e: unknown): string => (e instanceof m.XmlLibError ? describe(e.details, e.message.trim()) : e instanceof Error ? e.message : String(e));

const escapeAttr = (v: string) => v.replace(/&/g, '&amp;').replace(/"/g, '&quot;').replace(/</g, '&lt;');

/** A compiled XML check: undefined when the body is valid, else the first problem. */
export type XmlCheck = (body: Buffer, soap: boolean) => string | undefined;

/** Cap on compiled validators kept per configuration. */
const MAX_COMPILED = 1000;

export class XmlSchemaTable {
  private readonly global = new Map<string, string>();
  private readonly api = new Map<string, string>();
  private readonly compiled = new Map<string, XmlCheck>();
  /** Schemas embedded in a WSDL/WADL document, by their address /apis/{api}/schemas/{id}/{n} (lower-cased). */
  private readonly embedded = new Map<string, string>();

  constructor(schemas: readonly SchemaConfig[] | undefined) {
    for (const s of schemas ?? []) {
      if (typeof s?.name !== 'string' || s.format !== 'xml' || typeof s.value !== 'string') continue;
      if (s.apiName === undefined) this.global.set(s.name.toLowerCase(), s.value);
      else this.api.set(`${s.apiName}/${s.name}`.toLowerCase(), s.value);
    }
  }

  /** Whether the instance has XML schemas at all (then libxml2 is worth loading ahead of the first call). */
  get any(): boolean { return this.global.size + this.api.size > 0; }

  /** A validator for the global XML schema `name`. */
  async forGlobal(name: string): Promise<XmlCheck> {
    const text = this.global.get(name.toLowerCase());
    if (text === undefined) throw new SchemaLookupError('ApiSchema', `API's schema does not exist or it could not be resolved.`);
    return this.cached(`g|${name.toLowerCase()}`, `/schemas/${encodeURIComponent(name)}`, text);
  }

  /** A validator for the XML schema `schemaId` of `apiName` (any of its top-level elements is a root). */
  async forApi(apiName: string, schemaId: string): Promise<XmlCheck> {
    const text = this.api.get(`${apiName}/${schemaId}`.toLowerCase());
    if (text === undefined) throw new SchemaLookupError('ApiSchema', `API's schema does not exist or it could not be resolved.`);
    return this.cached(`a|${apiName}/${schemaId}`.toLowerCase(), `/apis/${encodeURIComponent(apiName)}/schemas/${encodeURIComponent(schemaId)}`, text);
  }

  /** The schema text at an address: /schemas/{id}, or /apis/{api}/schemas/{id} of the same API. */
  private lookup(location: string, apiOfRoot: string | undefined): string | undefined {
    const inner = this.embedded.get(location.toLowerCase());
    if (inner !== undefined && apiOfRoot !== undefined && location.toLowerCase().startsWith(`/apis/${encodeURIComponent(apiOfRoot)}/`)) return inner;
    let m = /^\/schemas\/([^/?#]+)$/.exec(location);
    if (m) return this.global.get(decodeURIComponent(m[1]).toLowerCase());
    m = /^\/apis\/([^/?#]+)\/schemas\/([^/?#]+)$/.exec(location);
    if (m && apiOfRoot !== undefined && decodeURIComponent(m[1]).toLowerCase() === apiOfRoot) {
      return this.api.get(`${apiOfRoot}/${decodeURIComponent(m[2])}`.toLowerCase());
    }
    return undefined;
  }

  private async cached(key: string, url: string, text: string): Promise<XmlCheck> {
    const hit = this.compiled.get(key);
    if (hit) return hit;
    const m = await loadLibxml();
    const again = this.compiled.get(key);
    if (again) return again;
    const made = this.compile(m, url, text);
    if (this.compiled.size < MAX_COMPILED) this.compiled.set(key, made);
    return made;
  }

  private compile(m: Libxml, url: string, text: string): XmlCheck {
    const apiOfRoot = /^\/apis\/([^/]+)\//.exec(url)?.[1];
    let validator: XsdValidator;
    resolving = (location) => this.lookup(location, apiOfRoot === undefined ? undefined : decodeURIComponent(apiOfRoot).toLowerCase());
    loads = 0;
    try {
      let doc = m.XmlDocument.fromString(text, { url, option: parseOption(m) });
      try {
        if (doc.root.name !== 'schema' || doc.root.namespaceUri !== XSD_NS) {
          const wrapper = this.unwrap(m, doc, url);
          doc.dispose();
          doc = m.XmlDocument.fromString(wrapper, { url, option: parseOption(m) });
        }
        validator = m.XsdValidator.fromDoc(doc);
      } finally {
        doc.dispose();
      }
    } catch (e) {
      throw new SchemaLookupError('ApiSchema', `API's schema does not exist or it could not be resolved. ${errorText(m, e)}`);
    } finally {
      resolving = undefined;
    }
    return this.validating(m, validator);
  }

  /**
   * The schemas inside a WSDL or WADL document: each kept at /{url}/{n} (with the namespaces it inherits
   * declared on it), and a schema that imports (or includes) them all.
   */
  private unwrap(m: Libxml, doc: import('libxml2-wasm').XmlDocument, url: string): string {
    const schemas = doc.find('//xs:schema', { xs: XSD_NS }).filter((n): n is XmlElement => n instanceof m.XmlElement);
    if (schemas.length === 0) throw new Error(`The document (root element '${doc.root.name}') holds no XML schema (xs:schema).`);
    const refs: string[] = [];
    schemas.forEach((schema, i) => {
      const own = schema.nsDeclarations;
      for (const [prefix, uri] of Object.entries(schema.namespaces)) if (!(prefix in own)) schema.addNsDeclaration(uri, prefix === '' ? undefined : prefix);
      const location = `${url}/${i}`;
      this.embedded.set(location.toLowerCase(), schema.toString());
      const ns = schema.attr('targetNamespace')?.value;
      refs.push(ns ? `<xs:import namespace="${escapeAttr(ns)}" schemaLocation="${escapeAttr(location)}" />` : `<xs:include schemaLocation="${escapeAttr(location)}" />`);
    });
    return `<xs:schema xmlns:xs="${XSD_NS}">${refs.join('')}</xs:schema>`;
  }

  private validating(m: Libxml, validator: XsdValidator): XmlCheck {
    return (body, soap) => {
      let doc;
      try {
        doc = m.XmlDocument.fromBuffer(body, { option: parseOption(m) });
      } catch (e) {
        return errorText(m, e);
      }
      try {
        if (doc.dtd !== null) return 'For security reasons DTD is prohibited in this XML document.';
        if (!soap) {
          validator.validate(doc);
          return undefined;
        }
        // SOAP: the payload is the Body's content, each element of it validated against the schema.
        const envelope = doc.root;
        if (envelope.name !== 'Envelope' || !SOAP_ENVELOPES.has(envelope.namespaceUri)) return `The message is not a SOAP envelope: its root element is '${envelope.name}' in namespace '${envelope.namespaceUri}'.`;
        const children = (e: XmlElement): XmlElement[] => {
          const out: XmlElement[] = [];
          for (let n = e.firstChild; n; n = n.next) if (n instanceof m.XmlElement) out.push(n);
          return out;
        };
        const body = children(envelope).find((c) => c.name === 'Body' && c.namespaceUri === envelope.namespaceUri);
        if (!body) return `The SOAP envelope has no Body element.`;
        for (const payload of children(body)) validator.validate(payload);
        return undefined;
      } catch (e) {
        return errorText(m, e);
      } finally {
        doc.dispose();
      }
    };
  }
}
