// The whole declared surface: every module's type specs, defined once when the gateway loads. A name an
// expression uses is looked up here and nowhere else.
import { defineType, type MethodDef, type TypeDef, type TypeSpec } from './define.js';
import { apimTypes } from './apim-types.js';
import { collections } from './collections.js';
import { json } from './json.js';
import { linq } from './linq.js';
import { canonicalName } from './types.js';
import { system } from './system.js';
import { systemMath } from './system-math.js';
import { datetime } from './datetime.js';
import { xml } from './xml.js';
import { xmlReaderTypes } from './xml-reader.js';
import { textTypes } from './text.js';
import { regexCrypto } from './regex-crypto.js';

/** Every module's specs. A module adds its list here. */
const MODULES: readonly (readonly TypeSpec[])[] = [
  system, systemMath, datetime, textTypes, regexCrypto, collections, linq, json, xml, xmlReaderTypes, apimTypes,
];

/** The declared specs (runtime type tests of OfType<T> and friends look `is` up here). */
export const declaredSpecs = (): readonly TypeSpec[] => MODULES.flat();

export class Surface {
  private readonly byName = new Map<string, TypeDef>();
  /** Extension methods by name (LINQ's Where, APIM's AsJwt), whatever type they extend. */
  private readonly extensions = new Map<string, MethodDef[]>();

  constructor(specs: readonly TypeSpec[]) {
    for (const spec of specs) {
      const def = defineType(spec);
      if (this.byName.has(def.name)) throw new Error(`surface: type '${def.name}' defined twice`);
      this.byName.set(def.name, def);
      this.byName.set(def.fullName, def);
      for (const list of def.statics.values()) {
        for (const m of list) {
          if (m.kind !== 'method' || !m.extension) continue;
          const l = this.extensions.get(m.name);
          if (l) l.push(m); else this.extensions.set(m.name, [m]);
        }
      }
    }
  }

  /** A type by C# name (`JObject`, `int`, `System.Text.StringBuilder`). */
  type(name: string): TypeDef | undefined {
    return this.byName.get(canonicalName(name));
  }

  extensionMethods(name: string): readonly MethodDef[] {
    return this.extensions.get(name) ?? [];
  }

  /** Registers more specs (tests, and the `context` types defined next to the runtime). */
  static of(...lists: (readonly TypeSpec[])[]): Surface {
    return new Surface([...MODULES, ...lists].flat());
  }
}
