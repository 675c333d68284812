import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Command } from 'commander';
import { parseAllDocuments } from 'yaml';
import {
  addOperatorFlags,
  parseOperatorConfig,
  type OperatorConfig,
} from '../../../src/runtime/config.js';
import { kubectl } from '../../support/control-plane.js';

export const REPO_ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');
export const MANIFESTS = join(REPO_ROOT, 'manifests');
export const SYSTEM_NAMESPACE = 'policyjobwatch-system';
export const SERVICE_ACCOUNT = 'policyjobwatch';
export const SA_USER = `system:serviceaccount:${SYSTEM_NAMESPACE}:${SERVICE_ACCOUNT}`;

/** One rendered object; only the fields the tests read are typed. */
export interface KubeObject {
  apiVersion: string;
  kind: string;
  metadata: { name: string; namespace?: string; labels?: Record<string, string> };
  [field: string]: unknown;
}

export interface PolicyRule {
  apiGroups?: string[];
  resources?: string[];
  resourceNames?: string[];
  verbs: string[];
}

interface Container {
  name: string;
  image: string;
  args?: string[];
  env?: { name: string; value?: string; valueFrom?: { fieldRef?: { fieldPath: string } } }[];
  ports?: { name: string; containerPort: number }[];
  livenessProbe?: { httpGet?: { path: string; port: string | number } };
  readinessProbe?: { httpGet?: { path: string; port: string | number } };
  resources?: { requests?: Record<string, string>; limits?: Record<string, string> };
  securityContext?: Record<string, unknown>;
}

export interface Deployment extends KubeObject {
  spec: {
    replicas: number;
    template: {
      spec: {
        serviceAccountName: string;
        securityContext?: Record<string, unknown>;
        containers: Container[];
      };
    };
  };
}

/** `kubectl kustomize DIR` with the pinned kubectl (kustomize built in), parsed. */
export async function render(dir: string): Promise<{ objects: KubeObject[]; yaml: string }> {
  const result = await kubectl(['kustomize', dir]);
  if (result.code !== 0) throw new Error(`kubectl kustomize ${dir}: ${result.stderr}`);
  const objects = parseAllDocuments(result.stdout).map((doc) => doc.toJS() as KubeObject);
  return { objects, yaml: result.stdout };
}

export function find(objects: KubeObject[], kind: string, name: string): KubeObject {
  const found = objects.find((o) => o.kind === kind && o.metadata.name === name);
  if (!found) throw new Error(`no ${kind} ${name} in the rendered manifests`);
  return found;
}

export function findDeployment(objects: KubeObject[]): Deployment {
  return find(objects, 'Deployment', 'policyjobwatch') as Deployment;
}

export function toYaml(objects: KubeObject[]): string {
  return objects.map((o) => JSON.stringify(o)).join('\n---\n');
}

/** The operator container's args, with $(POD_NAMESPACE) expanded as the kubelet would. */
export function operatorArgs(deployment: Deployment, podNamespace: string): string[] {
  const container = deployment.spec.template.spec.containers.find((c) => c.name === 'operator');
  if (!container?.args) throw new Error('the Deployment has no operator container with args');
  return container.args.map((arg) => arg.replaceAll('$(POD_NAMESPACE)', podNamespace));
}

/**
 * What `policyjobwatch run ARGS` would run with: the args parsed by the command's own flags
 * (an unknown flag throws), then validated; `overrides` replace single options afterwards.
 */
export function configFromArgs(
  args: string[],
  overrides: Record<string, string> = {},
): OperatorConfig {
  const [subcommand, ...flags] = args;
  if (subcommand !== 'run') throw new Error(`args start with ${String(subcommand)}, not run`);
  const command = addOperatorFlags(new Command('run'))
    .exitOverride()
    .configureOutput({ writeErr: () => undefined, writeOut: () => undefined });
  command.parse(flags, { from: 'user' });
  return parseOperatorConfig({ ...command.opts(), ...overrides });
}
