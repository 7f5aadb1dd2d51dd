// The engine's one door to the template language (./language, tpl-lang's library): everything the
// engine uses of it is imported here, so a change of that API changes this file only.
export {
  TemplateError, parseTemplate, bindParameters, evaluate, evaluateOutputs, expandResources,
  type Template, type EvalScope, type ExpandedResource,
} from './language/index.js';
