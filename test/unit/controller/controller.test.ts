import { expect } from 'chai';
import winston from 'winston';
import Transport from 'winston-transport';
import {
  DEFAULT_SELECTOR_KIND,
  REQUESTED_AT_ANNOTATION,
  type PolicyJobWatch,
} from '../../../src/api/index.js';
import { Controller } from '../../../src/controller/controller.js';
import type { Action, Reconciler } from '../../../src/controller/reconciler.js';
import { OperatorMetrics } from '../../../src/runtime/metrics.js';
import { eventually } from '../../../harness/eventually.js';

// The loop around the reconcile: which informer changes queue a key, which resources a job's
// news reaches, and what each outcome of a reconcile does to the key. The queue is the real
// one; the reconciler is a script (its own logic has its own tests).

interface Turn {
  key: string;
  trigger: 'poll' | 'news';
  at: number;
}

/** A reconciler that records its turns and answers from a script (default: done). */
class ScriptedReconciler {
  readonly turns: Turn[] = [];
  readonly forgotten: string[] = [];
  /** resourceVersions the "operator" wrote itself, per key (their echo is not news). */
  readonly ownWrites = new Map<string, string>();
  /** Per key, what the next turns answer (a thrown Error is thrown); then `done`. */
  readonly script = new Map<string, (Action | Error | Promise<Action>)[]>();

  reconcile(
    namespace: string,
    name: string,
    _log: unknown,
    trigger: 'poll' | 'news' = 'poll',
  ): Promise<Action> {
    const key = `${namespace}/${name}`;
    this.turns.push({ key, trigger, at: Date.now() });
    const next = this.script.get(key)?.shift() ?? { kind: 'done' };
    if (next instanceof Error) return Promise.reject(next);
    return Promise.resolve(next);
  }

  isOwnWrite(key: string, resource: PolicyJobWatch): boolean {
    if (this.ownWrites.get(key) !== resource.metadata.resourceVersion) return false;
    this.ownWrites.delete(key);
    return true;
  }

  forget(key: string): void {
    this.forgotten.push(key);
  }

  turnsOf(key: string): Turn[] {
    return this.turns.filter((t) => t.key === key);
  }
}

class Lines extends Transport {
  readonly lines: Record<string, unknown>[] = [];
  override log(info: Record<string, unknown>, next: () => void): void {
    this.lines.push(info);
    next();
  }
}

function resource(
  name: string,
  jobIDs: unknown[],
  { generation = 1, resourceVersion = '1', requestedAt = undefined as string | undefined } = {},
): PolicyJobWatch {
  return {
    apiVersion: 'ucs.policyjobwatch.io/v1alpha1',
    kind: 'PolicyJobWatch',
    metadata: {
      name,
      namespace: 'ns',
      generation,
      resourceVersion,
      ...(requestedAt === undefined
        ? {}
        : { annotations: { [REQUESTED_AT_ANNOTATION]: requestedAt } }),
    },
    spec: { jobIDs } as PolicyJobWatch['spec'],
  };
}

/** A resource with `spec.jobSelector` (`kind` left out when undefined). */
function selecting(name: string, kind: string | undefined, generation = 1): PolicyJobWatch {
  const obj = resource(name, [], { generation, resourceVersion: String(generation) });
  obj.spec = {
    jobSelector: { ...(kind === undefined ? {} : { kind }), newest: 1 },
  } as unknown as PolicyJobWatch['spec'];
  return obj;
}

/** Every turn queued so far has run: nothing queued, nothing in a worker. */
async function settled(controller: Controller, keys: string[]): Promise<void> {
  for (let i = 0; i < 10; i++) await new Promise((resolve) => setImmediate(resolve));
  await eventually(
    () => {
      if (controller.queue.length > 0 || keys.some((k) => controller.queue.isProcessing(k)))
        throw new Error('the queue is still busy');
    },
    { timeoutMs: 2_000, intervalMs: 5 },
  );
}

describe('Controller', () => {
  let reconciler: ScriptedReconciler;
  let logs: Lines;
  let metrics: OperatorMetrics;
  let controller: Controller;

  beforeEach(() => {
    reconciler = new ScriptedReconciler();
    logs = new Lines();
    metrics = new OperatorMetrics({ processMetrics: false });
    controller = new Controller(
      reconciler as unknown as Reconciler,
      winston.createLogger({ level: 'debug', transports: [logs] }),
      metrics,
      { workers: 2, maxBackoffMs: 60_000 },
    );
    controller.start();
  });

  afterEach(async () => {
    await controller.stop(1_000);
  });

  const results = async (): Promise<Record<string, number>> => {
    const out: Record<string, number> = {};
    for (const v of (await metrics.reconcileTotal.get()).values)
      out[String(v.labels.result)] = v.value;
    return out;
  };

  describe('the change filter', () => {
    it('reconciles a new resource, and every update that is not the echo of its own write', async () => {
      controller.onChange('add', resource('a', ['j']));
      await settled(controller, ['ns/a']);
      controller.onChange('update', resource('a', ['j'], { resourceVersion: '2' }));
      await settled(controller, ['ns/a']);
      expect(reconciler.turnsOf('ns/a').map((t) => t.trigger)).to.deep.equal(['poll', 'poll']);
    });

    it('skips the echo of its own status write, unless the generation or requestedAt changed with it', async () => {
      controller.onChange('add', resource('a', ['j']));
      await settled(controller, ['ns/a']);

      reconciler.ownWrites.set('ns/a', '2');
      controller.onChange('update', resource('a', ['j'], { resourceVersion: '2' }));
      await settled(controller, ['ns/a']);
      expect(reconciler.turnsOf('ns/a'), 'own write: no turn').to.have.length(1);

      reconciler.ownWrites.set('ns/a', '3');
      controller.onChange('update', resource('a', ['j'], { resourceVersion: '3', generation: 2 }));
      await settled(controller, ['ns/a']);
      expect(reconciler.turnsOf('ns/a'), 'the spec changed too').to.have.length(2);

      reconciler.ownWrites.set('ns/a', '4');
      controller.onChange(
        'update',
        resource('a', ['j'], { resourceVersion: '4', generation: 2, requestedAt: 'now' }),
      );
      await settled(controller, ['ns/a']);
      expect(reconciler.turnsOf('ns/a'), 'a reconcile was requested').to.have.length(3);

      reconciler.ownWrites.set('ns/a', '5');
      controller.onChange(
        'update',
        resource('a', ['j'], { resourceVersion: '5', generation: 2, requestedAt: 'now' }),
      );
      await settled(controller, ['ns/a']);
      expect(reconciler.turnsOf('ns/a'), 'own write again: no turn').to.have.length(3);
    });

    it('forgets a deleted resource: no turn, the reconciler forgets it, its jobs no longer reach it', async () => {
      controller.onChange('add', resource('a', ['j']));
      await settled(controller, ['ns/a']);
      controller.onChange('delete', resource('a', ['j']));
      await settled(controller, ['ns/a']);
      expect(reconciler.forgotten).to.deep.equal(['ns/a']);
      controller.jobChanged('j');
      await settled(controller, ['ns/a']);
      expect(reconciler.turnsOf('ns/a')).to.have.length(1);

      // Created again under the same name: a new resource, reconciled although its
      // generation and annotations equal the deleted one's.
      reconciler.ownWrites.set('ns/a', '1');
      controller.onChange('update', resource('a', ['j']));
      await settled(controller, ['ns/a']);
      expect(reconciler.turnsOf('ns/a')).to.have.length(2);
    });
  });

  describe('the job index', () => {
    it("queues every resource naming a job for that job's news only, and no other", async () => {
      controller.onChange('add', resource('a', ['j', 'k']));
      controller.onChange('add', resource('b', ['j']));
      controller.onChange('add', resource('c', ['k', 42]));
      await settled(controller, ['ns/a', 'ns/b', 'ns/c']);
      reconciler.turns.length = 0;

      controller.jobChanged('j');
      await settled(controller, ['ns/a', 'ns/b', 'ns/c']);
      expect(reconciler.turns.map((t) => `${t.key} ${t.trigger}`).sort()).to.deep.equal([
        'ns/a news',
        'ns/b news',
      ]);
      controller.jobChanged('42');
      controller.jobChanged('unknown');
      await settled(controller, ['ns/a', 'ns/b', 'ns/c']);
      expect(reconciler.turns, 'only job IDs that are strings are indexed').to.have.length(2);
    });

    it('follows spec changes: a job taken out of the spec no longer reaches the resource', async () => {
      controller.onChange('add', resource('a', ['j']));
      await settled(controller, ['ns/a']);
      controller.onChange('update', resource('a', ['k'], { resourceVersion: '2', generation: 2 }));
      await settled(controller, ['ns/a']);
      reconciler.turns.length = 0;

      controller.jobChanged('j');
      await settled(controller, ['ns/a']);
      expect(reconciler.turns).to.deep.equal([]);
      controller.jobChanged('k');
      await settled(controller, ['ns/a']);
      expect(reconciler.turns.map((t) => t.trigger)).to.deep.equal(['news']);
    });

    it('does not queue news for a resource in a reconcile (it has the data or polls again)', async () => {
      let release: (action: Action) => void = () => undefined;
      reconciler.script.set('ns/a', [new Promise<Action>((resolve) => (release = resolve))]);
      controller.onChange('add', resource('a', ['j']));
      await eventually(() => {
        expect(controller.queue.isProcessing('ns/a')).to.equal(true);
      });
      controller.jobChanged('j');
      release({ kind: 'done' });
      await settled(controller, ['ns/a']);
      expect(reconciler.turnsOf('ns/a')).to.have.length(1);
    });
  });

  describe('the news horizon', () => {
    it('shows news at once only to resources whose next turn is beyond the horizon', async () => {
      const horizon = new Controller(
        reconciler as unknown as Reconciler,
        winston.createLogger({ level: 'debug', transports: [logs] }),
        undefined,
        { workers: 2, maxBackoffMs: 60_000, newsHorizonMs: 10_000 },
      );
      horizon.start();
      try {
        reconciler.script.set('ns/soon', [{ kind: 'requeueAfter', delayMs: 5_000 }]);
        reconciler.script.set('ns/later', [{ kind: 'requeueAfter', delayMs: 60_000 }]);
        horizon.onChange('add', resource('soon', ['j']));
        horizon.onChange('add', resource('later', ['j']));
        horizon.onChange('add', resource('unscheduled', ['j']));
        const keys = ['ns/soon', 'ns/later', 'ns/unscheduled'];
        await settled(horizon, keys);
        reconciler.turns.length = 0;

        horizon.jobChanged('j');
        await settled(horizon, keys);
        expect(reconciler.turns.map((t) => `${t.key} ${t.trigger}`).sort()).to.deep.equal([
          'ns/later news',
          'ns/unscheduled news',
        ]);
        expect(horizon.queue.scheduledIn('ns/soon'), 'its own turn stays').to.be.within(1, 5_000);
      } finally {
        await horizon.stop(100);
      }
    });
  });

  describe('the job list kind index', () => {
    const keys = ['ns/a', 'ns/b', 'ns/c', 'ns/d'];
    const newsTurns = (): string[] =>
      reconciler.turns
        .filter((t) => t.trigger === 'news')
        .map((t) => t.key)
        .sort();

    it("queues every resource selecting on a kind for that list's news only (no kind: the default)", async () => {
      controller.onChange('add', selecting('a', 'UpdateConstraint'));
      controller.onChange('add', selecting('b', undefined));
      controller.onChange('add', selecting('c', 'UpdateConstraint'));
      controller.onChange('add', resource('d', ['j']));
      await settled(controller, keys);
      reconciler.turns.length = 0;

      controller.listChanged('UpdateConstraint');
      await settled(controller, keys);
      expect(newsTurns()).to.deep.equal(['ns/a', 'ns/c']);

      reconciler.turns.length = 0;
      controller.listChanged(DEFAULT_SELECTOR_KIND);
      controller.listChanged('j');
      await settled(controller, keys);
      expect(newsTurns(), 'a job ID is not a list kind').to.deep.equal(['ns/b']);
    });

    it('follows kind changes and deletes: a resource no longer selecting on a kind is not reached', async () => {
      controller.onChange('add', selecting('a', 'UpdateConstraint'));
      controller.onChange('add', selecting('b', 'UpdateConstraint'));
      await settled(controller, keys);
      controller.onChange('update', selecting('a', 'EnablePolicy', 2));
      controller.onChange('delete', selecting('b', 'UpdateConstraint'));
      await settled(controller, keys);
      reconciler.turns.length = 0;

      controller.listChanged('UpdateConstraint');
      await settled(controller, keys);
      expect(reconciler.turns).to.deep.equal([]);
      controller.listChanged('EnablePolicy');
      await settled(controller, keys);
      expect(newsTurns()).to.deep.equal(['ns/a']);
    });
  });

  describe('what a reconcile returns', () => {
    it('done: the failures of the key are forgotten', async () => {
      reconciler.script.set('ns/a', [{ kind: 'backoff', minDelayMs: 0 }]);
      controller.onChange('add', resource('a', ['j']));
      await settled(controller, ['ns/a']);
      expect(controller.queue.failureCount('ns/a')).to.equal(1);
      controller.onChange('update', resource('a', ['j'], { resourceVersion: '2' }));
      await settled(controller, ['ns/a']);
      expect(controller.queue.failureCount('ns/a')).to.equal(0);
      expect(await results()).to.deep.equal({ requeue: 1, success: 1 });
    });

    it('requeueAfter: the key comes back after the delay, its failures are forgotten', async () => {
      reconciler.script.set('ns/a', [
        { kind: 'backoff', minDelayMs: 0 },
        { kind: 'requeueAfter', delayMs: 150 },
      ]);
      controller.onChange('add', resource('a', ['j']));
      await eventually(() => {
        expect(reconciler.turnsOf('ns/a')).to.have.length(3);
      });
      const [, second, third] = reconciler.turnsOf('ns/a');
      expect(third!.at - second!.at).to.be.at.least(140);
      expect(controller.queue.failureCount('ns/a')).to.equal(0);
      expect(await results()).to.deep.equal({ requeue: 1, requeue_after: 1, success: 1 });
    });

    it('backoff: the key comes back after the backoff step, at least the Retry-After', async () => {
      reconciler.script.set('ns/a', [{ kind: 'backoff', minDelayMs: 1_500 }]);
      controller.onChange('add', resource('a', ['j']));
      await eventually(
        () => {
          expect(reconciler.turnsOf('ns/a')).to.have.length(2);
        },
        { timeoutMs: 4_000 },
      );
      const [first, second] = reconciler.turnsOf('ns/a');
      expect(second!.at - first!.at, 'the Retry-After, above the 1 s first step').to.be.at.least(
        1_490,
      );
      expect(logs.lines.find((l) => l.message === 'fetch failed; backing off')).to.include({
        object: 'ns/a',
        retryInMs: 1_500,
      });
      expect(await results()).to.deep.equal({ requeue: 1, success: 1 });
    });

    it('a thrown error: logged, counted, and retried with backoff (the one error policy)', async () => {
      reconciler.script.set('ns/a', [new Error('apiserver unreachable')]);
      controller.onChange('add', resource('a', ['j']));
      await settled(controller, ['ns/a']);
      expect(controller.queue.failureCount('ns/a')).to.equal(1);
      const failed = logs.lines.find((l) => l.message === 'reconcile failed');
      expect(failed).to.include({ level: 'error', object: 'ns/a' });
      expect(String(failed?.error)).to.include('apiserver unreachable');
      expect(failed?.retryInMs).to.be.within(900, 1_100);
      expect((await metrics.reconcileErrors.get()).values[0]?.value).to.equal(1);

      await eventually(
        () => {
          expect(reconciler.turnsOf('ns/a')).to.have.length(2);
        },
        { timeoutMs: 3_000 },
      );
      const [first, second] = reconciler.turnsOf('ns/a');
      expect(second!.at - first!.at).to.be.at.least(890);
      await settled(controller, ['ns/a']);
      expect(controller.queue.failureCount('ns/a')).to.equal(0);
      expect(await results()).to.deep.equal({ error: 1, success: 1 });
    });

    it("a thrown error is described by the runtime's describeError when it passes one", async () => {
      await controller.stop(1_000);
      controller = new Controller(
        reconciler as unknown as Reconciler,
        winston.createLogger({ level: 'debug', transports: [logs] }),
        metrics,
        { workers: 1, maxBackoffMs: 60_000, describeError: (err) => `described: ${String(err)}` },
      );
      controller.start();
      reconciler.script.set('ns/a', [new Error('HTTP 503')]);
      controller.onChange('add', resource('a', ['j']));
      await settled(controller, ['ns/a']);
      const failed = logs.lines.find((l) => l.message === 'reconcile failed');
      expect(failed?.error).to.equal('described: Error: HTTP 503');
    });
  });
});
