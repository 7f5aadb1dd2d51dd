// The documents of a deployment as Resource Manager returns them: the deployment (DeploymentExtended)
// and its operations (DeploymentOperation), and the small formats they share.
import crypto from 'node:crypto';
import type { ErrorDetail } from '../../common/errors.js';
import { resourceKind, type ResourceBody } from '../resource-store.js';

export const DEPLOYMENT_TYPE = 'Microsoft.Resources/deployments';
export const OPERATION_TYPE = 'Microsoft.Resources/deployments/operations';

export type ProvisioningState = 'Accepted' | 'Running' | 'Succeeded' | 'Failed' | 'Canceled';

export interface TypedValue {
  type: string;
  value?: unknown;
}

export interface ResourceRef {
  id: string;
  resourceType: string;
  resourceName: string;
}

export interface DeploymentProperties {
  templateHash: string;
  templateLink?: unknown;
  parameters: Record<string, TypedValue>;
  mode: 'Incremental' | 'Complete';
  debugSetting?: { detailLevel: string };
  provisioningState: ProvisioningState;
  timestamp: string;
  duration: string;
  correlationId: string;
  providers: { namespace: string; resourceTypes: { resourceType: string; locations: string[] }[] }[];
  dependencies: (ResourceRef & { dependsOn: ResourceRef[] })[];
  outputs?: Record<string, TypedValue>;
  outputResources?: { id: string }[];
  error?: ErrorDetail;
}

/** The stored deployment: the public document, and the run it shows (`operationStatuses/{runId}`). */
export interface DeploymentBody extends ResourceBody<DeploymentProperties> {
  runId: string;
}

export const DEPLOYMENT = resourceKind<DeploymentProperties>(DEPLOYMENT_TYPE);

export interface OperationProperties {
  provisioningOperation: 'Create' | 'Read' | 'EvaluateDeploymentOutput';
  provisioningState: ProvisioningState;
  timestamp: string;
  duration: string;
  trackingId: string;
  serviceRequestId?: string;
  statusCode?: string;
  statusMessage?: { status: string; error: ErrorDetail } | Record<string, never>;
  targetResource?: ResourceRef & { apiVersion?: string };
}

export const OPERATION = resourceKind<OperationProperties>(OPERATION_TYPE);

/** The deployment as GET returns it (without the run id). */
export function publicDeployment(body: ResourceBody<DeploymentProperties>): Record<string, unknown> {
  const { runId: _r, ...rest } = body as DeploymentBody;
  return rest;
}

/** The operation as Azure returns it: `operationId` beside `properties`. */
export function publicOperation(body: ResourceBody<OperationProperties>): Record<string, unknown> {
  return { id: body.id, operationId: body.name, properties: body.properties };
}

/** ISO 8601 duration, as Azure prints them (`PT1M2.345S`). */
export function isoDuration(ms: number): string {
  const minutes = Math.floor(ms / 60_000);
  const seconds = (ms % 60_000) / 1000;
  return `PT${minutes > 0 ? `${minutes}M` : ''}${seconds.toFixed(7).replace(/\.?0+$/, '') || '0'}S`;
}

/** Azure's operation ids: 16 upper-case hex digits. */
export const newOperationId = (): string => crypto.randomBytes(8).toString('hex').toUpperCase();

/** Azure's templateHash: a decimal number derived from the template's content. */
export function templateHash(template: unknown): string {
  const digest = crypto.createHash('sha256').update(JSON.stringify(template)).digest();
  return digest.readBigUInt64BE(0).toString();
}

/** HTTP status as Azure's statusCode names it. */
export function statusName(status: number): string {
  const names: Record<number, string> = {
    200: 'OK', 201: 'Created', 202: 'Accepted', 204: 'NoContent', 400: 'BadRequest', 401: 'Unauthorized', 403: 'Forbidden',
    404: 'NotFound', 405: 'MethodNotAllowed', 409: 'Conflict', 412: 'PreconditionFailed', 413: 'RequestEntityTooLarge', 500: 'InternalServerError',
  };
  return names[status] ?? String(status);
}

/** A template parameter's or output's type as Azure shows it: `securestring` → `SecureString`. */
export function typeName(type: unknown): string {
  const t = String(type ?? 'String').toLowerCase();
  const names: Record<string, string> = {
    string: 'String', securestring: 'SecureString', int: 'Int', bool: 'Bool', object: 'Object', secureobject: 'SecureObject', array: 'Array',
  };
  return names[t] ?? String(type);
}

export const isSecureType = (type: unknown): boolean => /^secure/i.test(String(type ?? ''));
