// ARM template parameters as the deployment form needs them: their declared type, default, allowed
// values and limits; and turning the form's text back into the deployment's `parameters` object.

export type ParameterType = 'string' | 'securestring' | 'int' | 'bool' | 'array' | 'object' | 'secureobject';

export interface TemplateParameter {
  name: string;
  type: ParameterType;
  defaultValue?: unknown;
  allowedValues?: unknown[];
  description?: string;
  minLength?: number;
  maxLength?: number;
  minValue?: number;
  maxValue?: number;
}

export interface Template {
  $schema?: string;
  parameters?: Record<string, { type?: string; defaultValue?: unknown; allowedValues?: unknown[]; metadata?: { description?: string }; minLength?: number; maxLength?: number; minValue?: number; maxValue?: number }>;
  resources?: unknown;
}

const TYPES: readonly ParameterType[] = ['string', 'securestring', 'int', 'bool', 'array', 'object', 'secureobject'];

/** The template text parsed, or why not (with the line and column of a JSON fault). */
export function parseTemplate(text: string): { template?: Template; error?: string } {
  let v: unknown;
  try {
    v = JSON.parse(text);
  } catch (e) {
    const message = e instanceof Error ? e.message : String(e);
    // V8 names the position for some faults ("... in JSON at position 5 (line 1 column 6)"), not all.
    if (/\(line \d+ column \d+\)/.test(message)) return { error: `The template is not valid JSON: ${message}` };
    const pos = /position (\d+)/.exec(message);
    if (pos) {
      const before = text.slice(0, Number(pos[1]));
      const line = before.split('\n').length;
      const column = Number(pos[1]) - before.lastIndexOf('\n');
      return { error: `The template is not valid JSON at line ${line}, column ${column}: ${message}` };
    }
    return { error: `The template is not valid JSON: ${message}` };
  }
  if (typeof v !== 'object' || v === null || Array.isArray(v)) return { error: 'The template must be a JSON object.' };
  const t = v as Template;
  if (!('resources' in t)) return { error: "The template has no 'resources' property." };
  return { template: t };
}

export function templateParameters(t: Template): TemplateParameter[] {
  return Object.entries(t.parameters ?? {}).map(([name, p]) => {
    const type = String(p.type ?? 'string').toLowerCase() as ParameterType;
    return {
      name, type: TYPES.includes(type) ? type : 'string', defaultValue: p.defaultValue, allowedValues: p.allowedValues,
      description: p.metadata?.description, minLength: p.minLength, maxLength: p.maxLength, minValue: p.minValue, maxValue: p.maxValue,
    };
  });
}

/** Azure's portal labels a parameter by its name split into words: apiManagementServiceName → Api Management Service Name. */
export function parameterLabel(name: string): string {
  const words = name.replace(/[_-]+/g, ' ').replace(/([a-z0-9])([A-Z])/g, '$1 $2').replace(/([A-Z]+)([A-Z][a-z])/g, '$1 $2').trim();
  return words.charAt(0).toUpperCase() + words.slice(1);
}

/** The text a field starts with: the default as written (an expression stays an expression). */
export function initialText(p: TemplateParameter): string {
  if (p.defaultValue === undefined) return '';
  if (typeof p.defaultValue === 'string') return p.defaultValue;
  if (p.type === 'array' || p.type === 'object' || p.type === 'secureobject') return JSON.stringify(p.defaultValue, null, 2);
  return String(p.defaultValue);
}

/** Why a field's text is not a value of its parameter, or undefined. */
export function parameterError(p: TemplateParameter, text: string): string | undefined {
  const isDefault = p.defaultValue !== undefined && text === initialText(p);
  if (isDefault) return undefined;
  if (text === '') return p.defaultValue === undefined ? 'This field is required.' : undefined;
  switch (p.type) {
    case 'int': {
      if (!/^-?\d+$/.test(text.trim())) return 'Enter a whole number.';
      const n = Number(text);
      if (p.minValue !== undefined && n < p.minValue) return `The value must be at least ${p.minValue}.`;
      if (p.maxValue !== undefined && n > p.maxValue) return `The value must be at most ${p.maxValue}.`;
      return undefined;
    }
    case 'bool': return /^(true|false)$/i.test(text) ? undefined : 'Choose true or false.';
    case 'array': case 'object': case 'secureobject': {
      try {
        const v: unknown = JSON.parse(text);
        if (p.type === 'array' ? !Array.isArray(v) : (typeof v !== 'object' || v === null || Array.isArray(v))) return `Enter a JSON ${p.type === 'array' ? 'array' : 'object'}.`;
        return undefined;
      } catch { return 'Enter valid JSON.'; }
    }
    default:
      if (p.minLength !== undefined && text.length < p.minLength) return `The value must have at least ${p.minLength} characters.`;
      if (p.maxLength !== undefined && text.length > p.maxLength) return `The value must have at most ${p.maxLength} characters.`;
      return undefined;
  }
}

/** The deployment's `parameters`: a field left at its default is left out, so the template's default (expressions too) applies. */
export function deploymentParameters(params: TemplateParameter[], texts: Record<string, string>): Record<string, { value: unknown }> {
  const out: Record<string, { value: unknown }> = {};
  for (const p of params) {
    const text = texts[p.name] ?? initialText(p);
    if (p.defaultValue !== undefined && text === initialText(p)) continue;
    if (text === '' && p.defaultValue !== undefined) continue;
    let value: unknown = text;
    if (p.type === 'int') value = Number(text);
    else if (p.type === 'bool') value = text.toLowerCase() === 'true';
    else if (p.type === 'array' || p.type === 'object' || p.type === 'secureobject') value = JSON.parse(text);
    else if (p.allowedValues && !p.allowedValues.includes(text)) {
      const match = p.allowedValues.find((a) => String(a) === text);
      if (match !== undefined) value = match;
    }
    out[p.name] = { value };
  }
  return out;
}
