// The deployment engine: stores a deployment as Accepted, then runs its plan in the background. Each
// resource is written by an in-process request through the front door as the deploying caller (so
// authorization and validation are those of a direct PUT), in dependency order with independent
// resources in parallel; each write is an operation with its timing and error. Nested deployments are
// deployments of their own, started the same way and waited for. Outputs are evaluated last.
import crypto from 'node:crypto';
import { AzureError, type ErrorDetail } from '../../common/errors.js';
import type { Logger } from '../../common/log.js';
import type { ArmContext } from '../context.js';
import type { ArmResult } from '../registry.js';
import { runGraph } from './graph.js';
import { DeploymentErrors } from './errors.js';
import {
  DEPLOYMENT, DEPLOYMENT_TYPE, OPERATION, OPERATION_TYPE, isoDuration, newOperationId, statusName, templateHash,
  isSecureType, type DeploymentBody, type DeploymentProperties, type OperationProperties, type ProvisioningState, type TypedValue,
} from './documents.js';
import { asAzureError, encodeId, isDeployment, type Dispatch, type Plan, type PlannedResource } from './plan.js';
import { TemplateError, evaluate, evaluateOutputs, type EvalScope } from './language-adapter.js';
import type { InternalRequest } from '../front-door.js';

/**
 * The resources of one top-level deployment and all its nested ones, as they run. A write refused
 * because Key Vault denied the instance's identity is retried once the other resources of the same
 * tree that are running have settled (or if one settled during the attempt): on Azure an instance's
 * provisioning retries its Key Vault reads for a while, so a template whose access policy races the
 * instance (the seed's Key Vault template) deploys every time. With nothing else running and nothing
 * settled, the refusal stands.
 */
interface RootRun {
  /** Each running resource (from its start to its end, retries included), by a token of its own. */
  running: Map<symbol, Promise<void>>;
  /** Tokens of the resources waiting to retry (not waited for by the others, so none waits for itself). */
  waiting: Set<symbol>;
  /** How many resources have settled. */
  settled: number;
}

/** Key Vault's codes for a denied read (inner codes of its 403), as a write that read Key Vault reports them. */
const KEY_VAULT_DENIED = new Set(['Forbidden', 'AccessDenied', 'ForbiddenByRbac', 'ForbiddenByFirewall', 'ForbiddenByConnection']);
const MAX_ATTEMPTS = 10;

const ENVELOPE = ['location', 'tags', 'sku', 'identity', 'properties', 'kind', 'zones', 'plan', 'managedBy', 'extendedLocation'];

interface Run {
  plan: Plan;
  root: RootRun;
  failures: ErrorDetail[];
  outputResources: Set<string>;
}

export class DeploymentEngine {
  private readonly active = new Map<string, Promise<void>>();
  /** Nested deployments about to be started by their parent, with the parent's tree. */
  private readonly parents = new Map<string, RootRun>();

  constructor(private readonly arm: ArmContext, private readonly dispatch: Dispatch, private readonly logger: Logger) {}

  isActive(id: string): boolean {
    return this.active.has(id.toLowerCase());
  }

  /** Stores the deployment (Accepted, its previous operations gone) and starts running it. */
  async start(plan: Plan): Promise<DeploymentBody> {
    const { target } = plan;
    const key = target.id.toLowerCase();
    if (this.active.has(key)) throw DeploymentErrors.deploymentActive(target.name);
    const root = this.parents.get(key) ?? { running: new Map(), waiting: new Set(), settled: 0 };
    this.parents.delete(key);
    const startedMs = this.arm.clock.nowMs();
    const doc: DeploymentBody = {
      id: target.id, name: target.name, type: DEPLOYMENT_TYPE, ...(plan.location ? { location: plan.location } : {}),
      ...(plan.tags ? { tags: plan.tags } : {}), runId: newOperationId(),
      properties: {
        templateHash: templateHash(plan.template), parameters: plan.shownParameters, mode: plan.mode,
        ...(plan.debugSetting ? { debugSetting: plan.debugSetting } : {}),
        provisioningState: 'Accepted', timestamp: new Date(startedMs).toISOString(), duration: 'PT0S', correlationId: target.correlationId,
        providers: providersOf(plan), dependencies: dependenciesOf(plan),
      },
    };
    await this.arm.resources.batch(async (w) => {
      const previous = await w.listOf(OPERATION, { parent: target.id });
      for (const op of previous) await w.deleteTree(op.id);
      await w.put({ id: target.id, parent: parentOf(target), body: doc });
    });
    const accepted = structuredClone(doc);
    const run: Run = { plan, root, failures: [], outputResources: new Set() };
    const done = this.run(run, doc, startedMs)
      .catch((e) => this.logger.error(`deployment ${target.id} failed unexpectedly`, e))
      .finally(() => this.active.delete(key));
    this.active.set(key, done);
    return accepted;
  }

  /** Resolves when the deployment's run (if any) is over. */
  completion(id: string): Promise<void> {
    return this.active.get(id.toLowerCase()) ?? Promise.resolve();
  }

  private async run(run: Run, doc: DeploymentBody, startedMs: number): Promise<void> {
    const { plan } = run;
    await this.setState(doc, { provisioningState: 'Running' }, startedMs);
    const byKey = new Map(plan.resources.map((r) => [r.key, r]));
    await runGraph(plan.nodes, (node) => this.deployResource(run, byKey.get(node.key)!));
    const props: Partial<DeploymentProperties> = {};
    if (run.failures.length === 0 && plan.mode === 'Complete') await this.removeOthers(run);
    if (run.failures.length === 0) {
      const outputs = await this.outputs(run);
      if (outputs) props.outputs = outputs;
    }
    props.outputResources = [...run.outputResources].map((id) => ({ id }));
    if (run.failures.length > 0) {
      props.error = DeploymentErrors.deploymentFailed(plan.target.id, run.failures).toEnvelope().error;
      props.provisioningState = 'Failed';
    } else {
      props.provisioningState = 'Succeeded';
    }
    await this.setState(doc, props, startedMs);
  }

  private async setState(doc: DeploymentBody, props: Partial<DeploymentProperties>, startedMs: number): Promise<void> {
    Object.assign(doc.properties, props, { duration: isoDuration(this.arm.clock.nowMs() - startedMs) });
    if (props.provisioningState === 'Succeeded' || props.provisioningState === 'Failed') doc.properties.timestamp = new Date(this.arm.clock.nowMs()).toISOString();
    const current = await this.arm.resources.getOf(DEPLOYMENT, doc.id);
    // Deleted meanwhile (its group went): nothing to record.
    if (!current || (current.body as DeploymentBody).runId !== doc.runId) return;
    await this.arm.resources.put({ id: doc.id, parent: parentOf(doc.id), body: doc });
  }

  /** One resource: evaluated, written (or, for a nested deployment, deployed and waited for), recorded. */
  private async deployResource(run: Run, r: PlannedResource): Promise<boolean> {
    if (!r.expanded.condition) return true;
    if (r.expanded.isDeployment) return this.execute(run, r, undefined);
    const token = Symbol(r.id);
    let finished!: () => void;
    run.root.running.set(token, new Promise<void>((resolve) => { finished = resolve; }));
    try {
      return await this.execute(run, r, token);
    } finally {
      run.root.running.delete(token);
      run.root.settled++;
      finished();
    }
  }

  private async execute(run: Run, r: PlannedResource, token: symbol | undefined): Promise<boolean> {
    const { target } = run.plan;
    const op = new OperationRecord(this.arm, target.id, r, this.arm.clock.nowMs());
    await op.save('Running');
    try {
      const scope: EvalScope = { ...run.plan.scope, copyIndex: r.expanded.copyIndex };
      const body = await this.bodyOf(r, scope);
      const call: InternalRequest = {
        method: 'PUT', path: `${encodeId(r.id)}?api-version=${encodeURIComponent(r.apiVersion)}`, body, caller: target.caller, correlationId: target.correlationId,
      };
      const result = token ? await this.write(run.root, token, call) : await this.nested(run, r, call);
      if (token) run.outputResources.add(r.id);
      await op.save('Succeeded', result.status);
      return true;
    } catch (e) {
      const err = asAzureError(e, op.trackingId);
      if (!(e instanceof AzureError) && !(e instanceof TemplateError)) this.logger.error(`deployment ${target.id}: ${r.id} failed`, e);
      run.failures.push(err.toEnvelope().error);
      await op.save('Failed', err.status, err.toEnvelope().error);
      return false;
    }
  }

  /**
   * What is sent for a resource: its envelope fields, evaluated. A nested deployment's template is
   * evaluated here in the outer scope (the default, as Azure), or left to the nested deployment (inner).
   */
  private async bodyOf(r: PlannedResource, scope: EvalScope): Promise<Record<string, unknown>> {
    const evaluated = await r.expanded.evaluateBody(scope);
    const body: Record<string, unknown> = {};
    for (const k of Object.keys(evaluated)) if (ENVELOPE.includes(k)) body[k] = evaluated[k];
    const props = body.properties as Record<string, unknown> | undefined;
    if (r.expanded.isDeployment && props?.template !== undefined) {
      const inner = String((props.expressionEvaluationOptions as { scope?: unknown } | undefined)?.scope ?? '').toLowerCase() === 'inner';
      if (!inner) props.template = await evaluate(props.template, scope, `${r.expanded.path}.properties.template`);
    }
    return body;
  }

  /** A write, retried as RootRun says. */
  private async write(root: RootRun, token: symbol, call: InternalRequest): Promise<ArmResult> {
    for (let attempt = 1; ; attempt++) {
      const before = root.settled;
      try {
        return await this.dispatch(call);
      } catch (e) {
        const others = [...root.running].filter(([t]) => t !== token && !root.waiting.has(t)).map(([, p]) => p);
        if (!keyVaultDenied(e) || attempt >= MAX_ATTEMPTS || (others.length === 0 && root.settled === before)) throw e;
        root.waiting.add(token);
        try { await Promise.all(others); } finally { root.waiting.delete(token); }
      }
    }
  }

  /** A nested deployment: PUT through the front door (as any deployment), then its run waited for. */
  private async nested(run: Run, r: PlannedResource, call: InternalRequest): Promise<ArmResult> {
    this.parents.set(r.key, run.root);
    let result: ArmResult;
    try {
      result = await this.dispatch(call);
    } finally {
      this.parents.delete(r.key);
    }
    await this.completion(r.id);
    const child = await this.arm.resources.getOf(DEPLOYMENT, r.id);
    for (const o of child?.body.properties.outputResources ?? []) run.outputResources.add(o.id);
    if (child?.body.properties.provisioningState !== 'Succeeded') {
      const error = child?.body.properties.error ?? { code: 'DeploymentFailed', message: `The nested deployment '${r.name}' did not succeed.` };
      throw new AzureError({ status: 400, code: error.code, message: error.message, target: error.target, details: error.details });
    }
    return result;
  }

  /** Complete mode: the group's other top-level resources are deleted. */
  private async removeOthers(run: Run): Promise<void> {
    const { target } = run.plan;
    const keep = new Set(run.plan.resources.map((r) => r.key));
    const group = `/subscriptions/${target.subscriptionId}/resourceGroups/${target.resourceGroup}`;
    for (const res of await this.arm.resources.list({ group, topLevel: true })) {
      if (keep.has(res.id.toLowerCase()) || isDeployment(res.body.type)) continue;
      const reg = this.arm.registry.type(res.body.type);
      const version = [...(reg?.apiVersions ?? [])].sort().pop();
      if (!reg?.delete || !version) continue;
      try {
        await this.dispatch({ method: 'DELETE', path: `${encodeId(res.id)}?api-version=${version}`, caller: target.caller, correlationId: target.correlationId });
      } catch (e) {
        run.failures.push(asAzureError(e, target.correlationId).toEnvelope().error);
      }
    }
  }

  /** The template's outputs, evaluated (secure ones without their value), as an operation of their own. */
  private async outputs(run: Run): Promise<Record<string, TypedValue> | undefined> {
    const defs = run.plan.parsed.outputs;
    if (Object.keys(defs).length === 0) return undefined;
    const op = new OperationRecord(this.arm, run.plan.target.id, undefined, this.arm.clock.nowMs());
    try {
      const out: Record<string, TypedValue> = {};
      for (const [name, o] of Object.entries(await evaluateOutputs(run.plan.parsed, run.plan.scope))) {
        out[name] = isSecureType(o.type) ? { type: o.type } : o;
      }
      await op.save('Succeeded', 200);
      return out;
    } catch (e) {
      const err = asAzureError(e, op.trackingId);
      run.failures.push(err.toEnvelope().error);
      await op.save('Failed', err.status, err.toEnvelope().error);
      return undefined;
    }
  }

  /** After a restart: a deployment that was running cannot go on, and shows that it failed. */
  async failInterrupted(): Promise<void> {
    for (const d of await this.arm.resources.listOf(DEPLOYMENT)) {
      const p = d.body.properties;
      if (p.provisioningState !== 'Accepted' && p.provisioningState !== 'Running') continue;
      const error = DeploymentErrors.interrupted().toEnvelope().error;
      await this.arm.resources.put({ id: d.id, parent: parentOf(d.id), body: { ...d.body, properties: { ...p, provisioningState: 'Failed', error } } });
    }
  }
}

/** One deployment operation's document, saved as it goes (Running, then Succeeded or Failed). */
class OperationRecord {
  readonly operationId = newOperationId();
  readonly trackingId = crypto.randomUUID();

  constructor(private readonly arm: ArmContext, private readonly deploymentId: string, private readonly r: PlannedResource | undefined, private readonly startedMs: number) {}

  async save(state: ProvisioningState, status?: number, error?: ErrorDetail): Promise<void> {
    const now = this.arm.clock.nowMs();
    const r = this.r;
    const properties: OperationProperties = {
      provisioningOperation: r ? 'Create' : 'EvaluateDeploymentOutput', provisioningState: state,
      timestamp: new Date(now).toISOString(), duration: isoDuration(now - this.startedMs), trackingId: this.trackingId,
      ...(r ? { serviceRequestId: this.trackingId } : {}),
      ...(status !== undefined ? { statusCode: statusName(status) } : {}),
      ...(error ? { statusMessage: { status: 'Failed', error } } : {}),
      ...(r ? { targetResource: { id: r.id, resourceType: r.type, resourceName: r.name, apiVersion: r.apiVersion } } : {}),
    };
    const id = `${this.deploymentId}/operations/${this.operationId}`;
    if (!(await this.arm.resources.exists(this.deploymentId))) return;
    await this.arm.resources.put({ id, parent: this.deploymentId, body: { id, name: this.operationId, type: OPERATION_TYPE, properties } });
  }
}

function keyVaultDenied(e: unknown): boolean {
  return e instanceof AzureError && (e.details ?? []).some((d) => KEY_VAULT_DENIED.has(d.code));
}

/** The scope a deployment id sits at (its group or subscription). */
function parentOf(target: { id: string } | string): string {
  const id = typeof target === 'string' ? target : target.id;
  return id.slice(0, id.toLowerCase().lastIndexOf('/providers/microsoft.resources/deployments/'));
}

function providersOf(plan: Plan): DeploymentProperties['providers'] {
  const byNs = new Map<string, Map<string, Set<string>>>();
  for (const r of plan.resources) {
    const [ns, ...rest] = r.type.split('/');
    const types = byNs.get(ns) ?? new Map<string, Set<string>>();
    byNs.set(ns, types);
    const locations = types.get(rest.join('/')) ?? new Set<string>();
    types.set(rest.join('/'), locations);
    const loc = r.expanded.declaration.location;
    if (typeof loc === 'string' && !loc.startsWith('[')) locations.add(loc);
  }
  return [...byNs].map(([namespace, types]) => ({ namespace, resourceTypes: [...types].map(([resourceType, l]) => ({ resourceType, locations: [...l] })) }));
}

function dependenciesOf(plan: Plan): DeploymentProperties['dependencies'] {
  const byKey = new Map(plan.resources.map((r) => [r.key, r]));
  const ref = (r: PlannedResource) => ({ id: r.id, resourceType: r.type, resourceName: r.name });
  return plan.nodes.filter((n) => n.deps.size > 0).map((n) => ({
    ...ref(byKey.get(n.key)!), dependsOn: [...n.deps].map((d) => ref(byKey.get(d)!)),
  }));
}

