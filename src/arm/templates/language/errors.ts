// The one error type of the template language: Azure's `InvalidTemplate` with the template path of the
// fault and, when the template text is known, its line and column (Newtonsoft's convention, as ARM
// reports them: the column of `{`/`[` for objects and arrays, of the last character for other values).

export interface TemplateErrorInit {
  path: string;
  /** The fault itself, as Azure words it (e.g. "The template variable 'x' is not found. ..."). */
  detail: string;
  line?: number;
  column?: number;
  /** Azure's full message; defaults to `detail`. */
  message?: string;
}

export class TemplateError extends Error {
  readonly code = 'InvalidTemplate' as const;
  readonly path: string;
  readonly line?: number;
  readonly column?: number;
  readonly detail: string;

  constructor(init: TemplateErrorInit) {
    super(init.message ?? init.detail);
    this.name = 'TemplateError';
    this.path = init.path;
    this.line = init.line;
    this.column = init.column;
    this.detail = init.detail;
  }

  /** ARM's `additionalInfo` entry for this fault. */
  additionalInfo(): { type: 'TemplateViolation'; info: { lineNumber: number; linePosition: number; path: string } } {
    return { type: 'TemplateViolation', info: { lineNumber: this.line ?? 0, linePosition: this.column ?? 0, path: this.path } };
  }
}

export function isTemplateError(e: unknown): e is TemplateError {
  return e instanceof TemplateError;
}

/**
 * A fault found while evaluating one expression, before the caller knows where it sits in the template.
 * The evaluator turns it into a TemplateError with the path and position of the string it evaluated.
 */
export class ExpressionError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ExpressionError';
  }
}

const EXPRESSIONS = 'Please see https://aka.ms/arm-template-expressions for usage details.';
const FUNCTIONS = 'Please see https://aka.ms/arm-functions for usage details.';

/** Azure's wording of expression faults (sources: ARM error responses quoted in public issues). */
export const Msg = {
  expressionsHelp: EXPRESSIONS,
  parse: (expr: string, why: string) => `Unable to parse language expression '${expr}': ${why}. ${EXPRESSIONS}`,
  unknownFunction: (name: string) => `The template function '${name}' is not valid. ${FUNCTIONS}`,
  functionNotExpected: (name: string) => `The template function '${name}' is not expected at this location. ${FUNCTIONS}`,
  function: (name: string, why: string) => `Unable to evaluate template language function '${name}': ${why} ${FUNCTIONS}`,
  variableNotFound: (name: string) => `The template variable '${name}' is not found. Please see https://aka.ms/arm-syntax-variables for usage details.`,
  parameterNotFound: (name: string) => `The template parameter '${name}' is not found. Please see https://aka.ms/arm-syntax-parameters for usage details.`,
  variableCycle: (names: string[]) => `The template variable '${names[0]}' is not valid: the variables '${names.join(', ')}' reference each other in a cycle. ${EXPRESSIONS}`,
  propertyMissing: (name: string, available: string[]) =>
    `The language expression property '${name}' doesn't exist, available properties are '${available.join(', ')}'.`,
  propertyOnNonObject: (name: string, type: string) =>
    `The language expression property '${name}' can't be evaluated, property name must be a string and the value must be an object; the value is of type '${type}'.`,
  indexOutOfBounds: (i: number) => `The language expression property array index '${i}' is out of bounds.`,
  indexNotValid: (type: string) => `The language expression property array index must be an integer and the value must be an array or an object; the value is of type '${type}'.`,
  referenceNotFound: (name: string) =>
    `The template reference '${name}' is not valid: could not find template resource or resource copy with this name. Please see https://aka.ms/arm-template-expressions/#reference for usage details.`,
} as const;
