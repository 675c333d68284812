import type { KubeObject } from '../manifests/rendered.js';

/**
 * Where the chart with default values differs from the kustomize install (manifests/), on
 * purpose. README.md lists each `what` ("Helm and kustomize installs compared"); the drift test
 * applies each one and then wants the two renderings equal, object by object, and each one must
 * change something (a difference that is gone must leave this list).
 */
export interface Difference {
  what: string;
  /** Makes the two renderings alike as far as this difference goes (on copies). */
  apply(rendered: { helm: KubeObject[]; kustomize: KubeObject[] }): void;
}

/** Every string map in `node` that has an app.kubernetes.io/name key: labels and selectors. */
function labelMaps(
  node: unknown,
  found: Record<string, unknown>[] = [],
): Record<string, unknown>[] {
  if (Array.isArray(node)) for (const item of node) labelMaps(item, found);
  else if (typeof node === 'object' && node !== null) {
    const map = node as Record<string, unknown>;
    if (typeof map['app.kubernetes.io/name'] === 'string') found.push(map);
    for (const value of Object.values(map)) labelMaps(value, found);
  }
  return found;
}

export const DIFFERENCES: Difference[] = [
  {
    what: 'Helm does not create the namespace: create it and label it for Pod Security yourself',
    apply({ kustomize }) {
      const at = kustomize.findIndex((o) => o.kind === 'Namespace');
      if (at >= 0) kustomize.splice(at, 1);
    },
  },
  {
    what: "The CRD is the chart's `crds/` file as it is, without the install's labels",
    apply({ kustomize }) {
      const crd = kustomize.find((o) => o.kind === 'CustomResourceDefinition');
      delete crd?.metadata.labels;
    },
  },
  {
    what: '`app.kubernetes.io/managed-by: Helm`, and the labels `app.kubernetes.io/version`, `helm.sh/chart`',
    apply({ helm }) {
      for (const labels of helm.map((o) => o.metadata.labels ?? {})) {
        if (labels['app.kubernetes.io/managed-by'] === 'Helm')
          labels['app.kubernetes.io/managed-by'] = 'kustomize';
        delete labels['app.kubernetes.io/version'];
        delete labels['helm.sh/chart'];
      }
    },
  },
  {
    what: 'Labels and selectors also have `app.kubernetes.io/instance`: two releases never select each other',
    apply({ helm }) {
      for (const map of labelMaps(helm)) delete map['app.kubernetes.io/instance'];
    },
  },
];

/** The object's identity in a rendering. */
export function objectKey(o: KubeObject): string {
  return `${o.kind}/${o.metadata.namespace ?? ''}/${o.metadata.name}`;
}
