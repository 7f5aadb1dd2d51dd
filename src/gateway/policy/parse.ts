// Parsers for attribute values read with CompileContext.read: a constant is parsed once at compile, an
// expression's value on every request. A value a parser refuses is the policy's error at run time, as
// API Management reports a policy expression whose value does not fit: Reason
// ExpressionValueEvaluationFailure, Message "Expression evaluation failed. " + the .NET exception's
// message for that conversion (Int32.Parse, Boolean.Parse, Enum.Parse, HttpHeaders' name check).
import { PolicyError } from './types.js';

const fail = (message: string): never => { throw new PolicyError('ExpressionValueEvaluationFailure', `Expression evaluation failed. ${message}`); };

/** Int32.Parse: optional sign and digits, surrounding white space allowed. */
export function int(text: string): number {
  if (!/^\s*[-+]?\d+\s*$/.test(text)) return fail('Input string was not in a correct format.');
  const n = Number(text.trim());
  if (n > 2147483647 || n < -2147483648) return fail('Value was either too large or too small for an Int32.');
  return n;
}

/** An int that is at least `min` (a timeout, a limit, a count). */
export const intAtLeast = (min: number, param: string) => (text: string): number => {
  const n = int(text);
  if (n < min) fail(`Specified argument was out of the range of valid values. (Parameter '${param}')`);
  return n;
};

/** An HTTP status code (what an ASP.NET response accepts: 100 to 999). */
export function statusCode(text: string): number {
  const n = int(text);
  if (n < 100 || n > 999) fail(`Specified argument was out of the range of valid values. (Parameter 'StatusCode')`);
  return n;
}

/** Boolean.Parse: true or false, any case, surrounding white space allowed. */
export function bool(text: string): boolean {
  const t = text.trim().toLowerCase();
  if (t === 'true') return true;
  if (t === 'false') return false;
  return fail(`String '${text}' was not recognized as a valid Boolean.`);
}

/** Enum.Parse (ignoring case) over the attribute's values; gives the value lower-cased. */
export const oneOf = <V extends string>(values: readonly V[]) => (text: string): V => {
  const t = text.trim().toLowerCase();
  if (!(values as readonly string[]).includes(t)) fail(`Requested value '${text}' was not found.`);
  return t as V;
};

/** RFC 9110 token characters: what a header name may be made of. */
const TOKEN = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;

/** A header name (an HTTP token), lower-cased as the gateway keeps header names. */
export function headerName(text: string): string {
  if (text === '') fail(`The value cannot be null or empty. (Parameter 'name')`);
  if (!TOKEN.test(text)) fail(`The header name '${text}' format is invalid.`);
  return text.toLowerCase();
}

/** A name that must not be empty (a query parameter, a variable). */
export function nonEmpty(text: string): string {
  if (text === '') fail(`The value cannot be null or empty. (Parameter 'name')`);
  return text;
}

/** The value as it is. */
export const text = (t: string): string => t;
