/**
 * A burst of events against the real kube-apiserver, at the default pacing (--event-qps 20,
 * --event-burst 50): every event is written, in the order recorded, with never more writes
 * open than the bound; and repeats of an event still waiting end as one Event with a series.
 */
import { expect } from 'chai';
import { EventsV1Api, type EventsV1Event } from '@kubernetes/client-node';
import winston from 'winston';
import { API_VERSION, KIND } from '../../../src/api/index.js';
import {
  DEFAULT_EVENT_MAX_IN_FLIGHT,
  EventRecorder,
  type EventWriter,
} from '../../../src/kube/event-recorder.js';
import type { TransitionEvent } from '../../../src/controller/transition-events.js';
import { adminKubeConfig } from '../../support/control-plane.js';
import { eventTarget } from './event-target.js';
import { PolicyJobWatchClient } from '../../support/policyjobwatch-client.js';

const NS = 'events-burst';
const BURST = 2000;

type CreateRequest = Parameters<EventWriter['createNamespacedEvent']>[0];
type PatchRequest = Parameters<EventWriter['patchNamespacedEvent']>[0];
type CallOptions = Parameters<EventWriter['createNamespacedEvent']>[1];

/** The real EventsV1Api, with the writes counted: in order, and how many are open at once. */
class WatchedWrites implements EventWriter {
  readonly creates: string[] = [];
  readonly patches: string[] = [];
  open = 0;
  peak = 0;

  constructor(private readonly api: EventsV1Api) {}

  createNamespacedEvent = (param: CreateRequest, options?: CallOptions): Promise<EventsV1Event> => {
    this.creates.push(param.body.note ?? '');
    return this.track(() => this.api.createNamespacedEvent(param, options));
  };

  patchNamespacedEvent = (param: PatchRequest, options?: CallOptions): Promise<EventsV1Event> => {
    this.patches.push(param.name);
    return this.track(() => this.api.patchNamespacedEvent(param, options));
  };

  private async track(call: () => Promise<EventsV1Event>): Promise<EventsV1Event> {
    this.open += 1;
    this.peak = Math.max(this.peak, this.open);
    try {
      return await call();
    } finally {
      this.open -= 1;
    }
  }
}

const job = (i: number): TransitionEvent => ({
  type: 'Normal',
  reason: 'JobSucceeded',
  message: `job j${String(i)} succeeded (1/1 tasks succeeded, 0 failed)`,
});

describe('a burst of events on the real apiserver, paced at the defaults', function () {
  this.timeout(6 * 60_000);
  const h = new PolicyJobWatchClient(adminKubeConfig, NS);
  const failures: string[] = [];
  let events: EventsV1Api;
  let uid: string;
  let log: winston.Logger;

  const target = () => ({ apiVersion: API_VERSION, kind: KIND, namespace: NS, name: 'w', uid });
  const listAll = async (): Promise<EventsV1Event[]> => {
    const all: EventsV1Event[] = [];
    let _continue: string | undefined;
    do {
      const page = await events.listNamespacedEvent({
        namespace: NS,
        limit: 500,
        ...(_continue === undefined ? {} : { _continue }),
      });
      all.push(...page.items);
      const next = page.metadata?._continue;
      _continue = next ? next : undefined;
    } while (_continue !== undefined);
    return all;
  };

  before(async () => {
    uid = await eventTarget(h, NS);
    events = h.kc.makeApiClient(EventsV1Api);
    log = winston.createLogger({ transports: [new winston.transports.Console({ silent: true })] });
    log.on('data', (info: { message: string }) => failures.push(info.message));
  });

  after(async () => {
    await h.core.deleteNamespace({ name: NS }).catch(() => undefined);
  });

  it(`${String(BURST)} distinct events: all written, in order, none dropped, writes in flight within the bound`, async () => {
    const writes = new WatchedWrites(events);
    let dropped = 0;
    const recorder = new EventRecorder(h.kc, log, {
      api: writes,
      onDropped: () => {
        dropped += 1;
      },
    });
    const started = performance.now();
    for (let i = 0; i < BURST; i++) recorder.record(target(), job(i));
    const queuedAtOnce = recorder.queued + recorder.inFlight;
    await recorder.flush(5 * 60_000);
    const seconds = (performance.now() - started) / 1000;
    console.log(
      `      burst of ${String(BURST)}: drained in ${seconds.toFixed(1)} s at the default qps/burst, ` +
        `peak ${String(writes.peak)} writes in flight (bound ${String(DEFAULT_EVENT_MAX_IN_FLIGHT)})`,
    );
    expect(queuedAtOnce, 'all queued at once, none dropped on the way in').to.equal(BURST);
    expect(recorder.queued).to.equal(0);
    expect(dropped).to.equal(0);
    expect(failures).to.deep.equal([]);
    expect(writes.creates, 'written in the order recorded').to.deep.equal(
      Array.from({ length: BURST }, (_, i) => job(i).message),
    );
    expect(writes.patches).to.deep.equal([]);
    expect(writes.peak).to.be.at.least(1).and.at.most(DEFAULT_EVENT_MAX_IN_FLIGHT);
    const stored = await listAll();
    expect(stored).to.have.length(BURST);
    expect(new Set(stored.map((e) => e.note))).to.deep.equal(new Set(writes.creates));
    for (const e of stored) expect(e.series, e.note).to.equal(undefined);
  });

  it('repeats of an event still waiting are one Event with a series count; a later one is a PATCH', async () => {
    const writes = new WatchedWrites(events);
    const recorder = new EventRecorder(h.kc, log, { api: writes });
    const repeated: TransitionEvent = {
      type: 'Warning',
      reason: 'FetchFailed',
      message: 'job r: UCS answered 503 Service Unavailable',
    };
    // 100 others at once, the repeats among them: 4 writes start, the rest (the repeats' too) wait.
    for (let i = 0; i < 100; i++) {
      recorder.record(target(), job(BURST + i));
      if (i >= 60 && i % 10 === 0) recorder.record(target(), repeated);
    }
    const waiting = recorder.queued + recorder.inFlight;
    await recorder.flush(60_000);
    const mine = (await listAll()).filter((e) => e.note === repeated.message);
    expect(mine, 'one Event').to.have.length(1);
    expect(mine[0]?.series?.count).to.equal(4);
    expect(writes.creates.filter((n) => n === repeated.message)).to.have.length(1);
    expect(writes.patches).to.deep.equal([]);
    expect(waiting, 'the repeats took one place in the queue').to.equal(101);

    recorder.record(target(), repeated);
    await recorder.flush(10_000);
    const [after] = (await listAll()).filter((e) => e.note === repeated.message);
    expect(after?.metadata?.name).to.equal(mine[0]?.metadata?.name);
    expect(after?.series?.count).to.equal(5);
    expect(writes.patches).to.deep.equal([after?.metadata?.name]);
    expect(failures).to.deep.equal([]);
  });
});
