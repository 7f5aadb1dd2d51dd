// Microsoft.Resources/deployments: template deployments at resource group and subscription scope.
// PUT plans the deployment (the template checked, parameters bound, the graph without cycles: any fault
// is a 400 before anything is written), then answers 201 with Azure-AsyncOperation while the engine
// runs it; GET, list, DELETE, POST validate, the operations of a deployment and its operation status.
import type { Logger } from '../../../common/log.js';
import type { ArmContext } from '../../context.js';
import type { ArmRequest, ArmHandler, ResourceProviderModule, ResourceTypeRegistration } from '../../registry.js';
import { page } from '../../envelope.js';
import { RESOURCES_API_VERSIONS } from '../resources.js';
import { DeploymentEngine } from '../../templates/engine.js';
import { makePlan, type DeploymentTarget, type Dispatch } from '../../templates/plan.js';
import { DeploymentErrors } from '../../templates/errors.js';
import { DEPLOYMENT, DEPLOYMENT_TYPE, OPERATION, OPERATION_TYPE, publicDeployment, publicOperation, type DeploymentBody } from '../../templates/documents.js';
import { exportTemplate } from '../../templates/export.js';

/** Microsoft.Resources' versions, and the one @azure/arm-resourcesdeployments 2.x sends. */
export const DEPLOYMENT_API_VERSIONS = [...RESOURCES_API_VERSIONS, '2025-07-01', '2026-06-01'] as const;

export interface DeploymentsProvider extends ResourceProviderModule {
  /** POST .../resourcegroups/{g}/exportTemplate (registered on the resource group type). */
  exportTemplate: ArmHandler;
}

export function deploymentsProvider(arm: ArmContext, dispatch: Dispatch, logger: Logger): DeploymentsProvider {
  const engine = new DeploymentEngine(arm, dispatch, logger);
  const common = { apiVersions: DEPLOYMENT_API_VERSIONS, apiVersionError: 'invalidApiVersion' as const };

  const targetOf = (req: ArmRequest): DeploymentTarget => ({
    id: req.target.id, name: req.target.names[0], subscriptionId: req.target.subscriptionId!, resourceGroup: req.target.resourceGroup,
    apiVersion: req.apiVersion, caller: req.caller, correlationId: req.ctx.correlationId,
  });
  const deploymentIdOf = (req: ArmRequest) => req.target.id.slice(0, req.target.id.toLowerCase().lastIndexOf('/providers/microsoft.resources/deployments/')) + `/providers/${DEPLOYMENT_TYPE}/${req.target.names[0]}`;
  const existing = async (id: string, name: string) => {
    const d = await arm.resources.getOf(DEPLOYMENT, id);
    if (!d) throw DeploymentErrors.notFound(name);
    return d;
  };

  const deployments: ResourceTypeRegistration = {
    ...common, type: DEPLOYMENT_TYPE, scopes: ['subscription', 'resourceGroup'], listScopes: ['subscription', 'resourceGroup'],
    async get(req) {
      return { status: 200, body: publicDeployment((await existing(req.target.id, req.target.name!)).body) };
    },
    async put(req) {
      const target = targetOf(req);
      if (engine.isActive(target.id)) throw DeploymentErrors.deploymentActive(target.name);
      const existed = await arm.resources.exists(target.id);
      const plan = await makePlan(arm, dispatch, target, req.body);
      const doc = await engine.start(plan);
      return {
        status: existed ? 200 : 201, body: publicDeployment(doc),
        headers: { 'azure-asyncoperation': `${arm.baseUrl}${target.id}/operationStatuses/${doc.runId}?api-version=${req.apiVersion}`, 'retry-after': '1' },
      };
    },
    async delete(req) {
      if (engine.isActive(req.target.id)) throw DeploymentErrors.deploymentActiveDelete(req.target.name!);
      await arm.resources.deleteTree(req.target.id);
      return { status: 204 };
    },
    async list(req) {
      let items = (await arm.resources.listOf(DEPLOYMENT, { parent: req.target.scope })).map((d) => publicDeployment(d.body));
      const filter = req.ctx.query.get('$filter');
      if (filter) {
        const m = /^\s*provisioningState\s+eq\s+'([^']*)'\s*$/i.exec(filter);
        if (!m) throw DeploymentErrors.invalidDeployment(`The $filter '${filter}' is not supported: use provisioningState eq '{state}'.`, '$filter');
        items = items.filter((d) => String((d.properties as { provisioningState?: string }).provisioningState).toLowerCase() === m[1].toLowerCase());
      }
      return page(req, items, arm.baseUrl);
    },
    actions: {
      async validate(req) {
        const plan = await makePlan(arm, dispatch, targetOf(req), req.body);
        return {
          status: 200,
          body: {
            id: req.target.id, name: req.target.names[0], type: DEPLOYMENT_TYPE,
            properties: {
              provisioningState: 'Succeeded', mode: plan.mode, parameters: plan.shownParameters, correlationId: req.ctx.correlationId,
              timestamp: new Date(arm.clock.nowMs()).toISOString(), duration: 'PT0S',
              validatedResources: plan.resources.filter((r) => r.expanded.condition).map((r) => ({ id: r.id })),
            },
          },
        };
      },
    },
  };

  const operations: ResourceTypeRegistration = {
    ...common, type: OPERATION_TYPE, scopes: ['resource'], listScopes: ['resource'],
    async get(req) {
      await existing(deploymentIdOf(req), req.target.names[0]);
      const op = await arm.resources.getOf(OPERATION, req.target.id);
      if (!op) throw DeploymentErrors.operationNotFound(req.target.name!, req.target.names[0]);
      return { status: 200, body: publicOperation(op.body) };
    },
    async list(req) {
      const d = await existing(req.target.scope, req.target.names[0]);
      return page(req, (await arm.resources.listOf(OPERATION, { parent: d.id })).map((o) => publicOperation(o.body)), arm.baseUrl);
    },
  };

  // The Azure-AsyncOperation of a deployment's PUT: its state while it runs, and its error when it failed.
  const operationStatuses: ResourceTypeRegistration = {
    ...common, type: `${DEPLOYMENT_TYPE}/operationStatuses`, scopes: ['resource'],
    actionFor: () => `${DEPLOYMENT_TYPE}/operationstatuses/read`,
    async get(req) {
      const d = await existing(deploymentIdOf(req), req.target.names[0]);
      const body = d.body as DeploymentBody;
      if (body.runId !== req.target.name) throw DeploymentErrors.operationNotFound(req.target.name!, req.target.names[0]);
      const p = body.properties;
      return { status: 200, body: { status: p.provisioningState, ...(p.error ? { error: p.error } : {}) } };
    },
  };

  return {
    namespace: 'Microsoft.Resources',
    types: [deployments, operations, operationStatuses],
    exportTemplate: (req) => exportTemplate(arm, dispatch, req),
    init: () => engine.failInterrupted(),
  };
}
