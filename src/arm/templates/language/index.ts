// The ARM template language: reading templates, binding parameters, evaluating expressions, and
// expanding resources. The deployment engine (../engine) uses only what is exported here.
export { TemplateError, isTemplateError } from './errors.js';
export type { TemplateErrorInit } from './errors.js';
export { parseTemplate, templateFromJson, nestedTemplate, locate } from './template.js';
export type { Template, ParameterDefinition, ParameterType, OutputDefinition } from './template.js';
export type { Position, PositionMap } from './json-reader.js';
export type { EvalScope } from './scope.js';
export { evaluate } from './evaluator.js';
export { bindParameters } from './parameters.js';
export type { BoundParameters, KeyVaultParameterReference } from './parameters.js';
export { expandResources } from './resources.js';
export type { ExpandedResource } from './resources.js';
export { referencedResources } from './references.js';
export { evaluateOutputs } from './outputs.js';
export type { OutputValue } from './outputs.js';
export { isExpression } from './expression/parser.js';
export { uniqueString, armGuid } from './hash.js';
export { functionNames } from './functions/index.js';
export { extendedResourceId, buildResourceId } from './resource-ids.js';
export type { JsonValue, JsonObject } from './values.js';
