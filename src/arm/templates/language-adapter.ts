// The engine's one door to the template language (tpl-lang's library): everything the engine uses of it
// is imported here, so a change of that API changes this file only.
export {
  TemplateError, parseTemplate, bindParameters, evaluate, expandResources,
  type Template, type EvalScope, type ExpandedResource,
} from './language-stub.js';
