// Calls compiled to one specialised closure instead of the general chain (property view, receiver check,
// argument closures, dispatch), for the shape real policies repeat on every request:
// `context.Request.Headers.GetValueOrDefault("name", "default")` (or a response's) with constant
// arguments reads the header bag directly, with the same answer (values comma-joined, the default when
// absent), and builds no HeaderDictionary view. On `context` itself the result is also a Bound.direct:
// the compiled expression runs it without an Env or an evaluation frame.
import type { MethodDef } from '../surface/define.js';
import { headerBagReader, headerValueOrDefault } from '../surface/context.js';
import { nullReference } from '../dotnet/exceptions.js';
import type { Bound } from './bound.js';

/** Bound.direct of `context` (and of what only passes it on, such as `context.Request`). */
export const contextItself = (context: unknown): unknown => context;

/** A fused form of calling `m` on `receiver` with these parameter constants, or undefined (the general call). */
export function fuseCall(m: MethodDef, receiver: Bound, constants: readonly ({ value: unknown } | undefined)[]): Bound | undefined {
  if (m.owner.name !== 'HeaderDictionary' || m.name !== 'GetValueOrDefault' || m.typeParams.length !== 0 || m.params.length !== 2) return undefined;
  const via = receiver.readVia;
  if (receiver.conditional || !via || via.receiver.conditional) return undefined;
  const bag = headerBagReader(via.property) as ((self: unknown) => Record<string, string | string[] | undefined>) | undefined;
  const [key, dflt] = constants;
  if (!bag || typeof key?.value !== 'string' || !dflt || (dflt.value !== null && typeof dflt.value !== 'string')) return undefined;
  const lookup = headerValueOrDefault(bag, key.value, dflt.value);
  const inner = via.receiver;
  const notNull = dflt.value !== null;
  if (inner.direct === contextItself) return { kind: 'value', type: m.ret, emit: (env) => lookup(env.context), direct: lookup, notNull };
  // Any other receiver (a response from a variable, a cast): null is NullReferenceException, as in the general call.
  const recv = inner.emit;
  return { kind: 'value', type: m.ret, emit: (env) => { const self = recv(env); if (self === null) throw nullReference(); return lookup(self); } };
}
