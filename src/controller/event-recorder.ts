import { hostname } from 'node:os';
import { CoreV1Api, type KubeConfig } from '@kubernetes/client-node';
import type { Logger } from '../runtime/logger.js';
import { apiMessage } from './kube-errors.js';
import type { TransitionEvent } from './transition-events.js';

export interface EventTarget {
  apiVersion: string;
  kind: string;
  name: string;
  namespace: string;
  uid?: string;
  resourceVersion?: string;
}

/** Records core/v1 Events (what `kubectl describe` shows). A failed event is logged, never fatal. */
export class EventRecorder {
  private readonly api: CoreV1Api;
  private readonly instance = hostname();

  constructor(
    kc: KubeConfig,
    private readonly log: Logger,
  ) {
    this.api = kc.makeApiClient(CoreV1Api);
  }

  async record(target: EventTarget, event: TransitionEvent): Promise<void> {
    const now = new Date();
    try {
      await this.api.createNamespacedEvent({
        namespace: target.namespace,
        body: {
          metadata: { generateName: `${target.name}.`, namespace: target.namespace },
          involvedObject: target,
          type: event.type,
          reason: event.reason,
          message: event.message.slice(0, 1024),
          source: { component: 'policyjobwatch' },
          reportingComponent: 'policyjobwatch',
          reportingInstance: this.instance,
          firstTimestamp: now,
          lastTimestamp: now,
          count: 1,
        },
      });
    } catch (err) {
      this.log.warn('cannot record event', {
        object: `${target.namespace}/${target.name}`,
        reason: event.reason,
        error: apiMessage(err),
      });
    }
  }
}
