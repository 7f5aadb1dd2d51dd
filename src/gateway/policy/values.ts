// Attribute and text values: {{named value}} references (substituted at compile time) and policy
// expressions (`@(...)`, `@{...}`), which this issue rejects at validation: expressions have an issue
// of their own and will compile to non-constant Values.
import { namedValueKey, type NamedValueConfig } from '../config.js';
import { constant, type Value } from './types.js';

const REF = /\{\{([^{}]*)\}\}/g;

export function isExpression(raw: string): boolean {
  const t = raw.trimStart();
  return t.startsWith('@(') || t.startsWith('@{');
}

/** The {{names}} a value refers to, trimmed, in order of appearance. */
export function namedValueRefs(raw: string): string[] {
  if (!raw.includes('{{')) return [];
  return [...raw.matchAll(REF)].map((m) => m[1].trim());
}

/** An instance's named values by display name (namedValueKey: API Management's rule). */
export class NamedValueTable {
  private readonly byName = new Map<string, NamedValueConfig>();
  /** Values of secret (and Key Vault) named values, to mask in traces. */
  readonly secrets: string[] = [];
  constructor(values: NamedValueConfig[]) {
    for (const nv of values) {
      this.byName.set(namedValueKey(nv.displayName), nv);
      if ((nv.secret || nv.keyVault) && nv.value) this.secrets.push(nv.value);
    }
  }

  /** The text with every {{reference}} replaced; `missing` gets the names it could not resolve. */
  substitute(raw: string, missing?: string[]): string {
    if (!raw.includes('{{')) return raw;
    return raw.replace(REF, (whole, name: string) => {
      const nv = this.byName.get(namedValueKey(name));
      if (nv?.value === undefined) { missing?.push(name.trim()); return whole; }
      return nv.value;
    });
  }

  value(raw: string, missing?: string[]): Value {
    return constant(this.substitute(raw, missing));
  }
}
