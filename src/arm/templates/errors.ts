// Resource Manager's deployment errors, with Azure's codes and messages.
import { AzureError, type ErrorDetail } from '../../common/errors.js';

const e = (status: number, code: string, message: string, target?: string, details?: ErrorDetail[]) =>
  new AzureError({ status, code, message, target, details });

/** Where a fault sits in the template: `resources[1].properties.x`, with line and column when known. */
export interface TemplatePlace {
  path: string;
  line?: number;
  column?: number;
}

const at = (p: TemplatePlace) => (p.line !== undefined ? ` at line '${p.line}' and column '${p.column ?? 0}'` : '');

export const DeploymentErrors = {
  /** Refused at PUT or validate: the template (or its parameters) cannot be deployed as written. */
  invalidTemplate: (place: TemplatePlace, message: string) =>
    e(400, 'InvalidTemplate', `Deployment template validation failed: '${message}${at(place)}'.`, place.path),
  /** An expression of a resource that failed while the deployment ran. */
  expressionFailed: (resource: string, place: TemplatePlace, message: string) =>
    e(400, 'InvalidTemplate', `Unable to process template language expressions for resource '${resource}'${at(place)}. '${message}'`, place.path),
  circularDependency: (cycle: string[]) =>
    e(400, 'InvalidTemplate', `Deployment template validation failed: 'Circular dependency detected on resource: '${cycle[0]}'. The cycle: ${cycle.map((c) => `'${c}'`).join(' -> ')}. Please see https://aka.ms/arm-syntax-resources for usage details.'.`, 'resources'),
  notDefined: (place: TemplatePlace, dependency: string) =>
    e(400, 'InvalidTemplate', `Deployment template validation failed: 'The resource '${dependency}' is not defined in the template${at(place)}. Please see https://aka.ms/arm-syntax for usage details.'.`, place.path),
  invalidTemplateDeployment: (name: string, trackingId: string, details: ErrorDetail[]) =>
    e(400, 'InvalidTemplateDeployment', `The template deployment '${name}' is not valid according to the validation procedure. The tracking id is '${trackingId}'. See inner errors for details.`, undefined, details),
  deploymentFailed: (id: string, details: ErrorDetail[]) =>
    e(400, 'DeploymentFailed', 'At least one resource deployment operation failed. Please list deployment operations for details. Please see https://aka.ms/arm-deployment-operations for usage details.', id, details),
  deploymentActive: (name: string) =>
    e(409, 'DeploymentActive', `The deployment '${name}' cannot be saved, because this would overwrite an existing deployment which is still active.`),
  deploymentActiveDelete: (name: string) =>
    e(409, 'DeploymentActive', `The deployment '${name}' cannot be deleted, because it is still active.`),
  notFound: (name: string) => e(404, 'DeploymentNotFound', `Deployment '${name}' could not be found.`),
  operationNotFound: (operationId: string, deployment: string) =>
    e(404, 'DeploymentOperationNotFound', `The operation '${operationId}' of deployment '${deployment}' could not be found.`),
  invalidName: (name: string) =>
    e(400, 'InvalidDeploymentName', `The deployment name '${name}' is invalid. It must be 1 to 64 characters of letters, digits, '-', '.', '_', '(' and ')'.`),
  invalidDeployment: (message: string, target?: string) => e(400, 'InvalidDeployment', message, target),
  missingTemplate: () => e(400, 'InvalidDeployment', "The request content has neither 'properties.template' nor 'properties.templateLink'; exactly one is required.", 'properties.template'),
  contentLink: (uri: string) =>
    e(400, 'InvalidContentLink', `Unable to download deployment content from '${uri}'. This server does not download templates: send the template inline in 'properties.template' (the command line resolves a local templateLink).`, 'properties.templateLink.uri'),
  interrupted: () => e(500, 'DeploymentInterrupted', 'The deployment was interrupted by a restart of the server before it finished.'),
};
