import { createServer, type Server, type Socket } from 'node:net';
import { ApiException, KubeConfig, type EventsV1Event } from '@kubernetes/client-node';
import { expect } from 'chai';
import winston from 'winston';
import Transport from 'winston-transport';
import { EventRecorder, type EventWriter } from '../../../src/kube/event-recorder.js';
import { MAX_SERIES } from '../../../src/kube/event-series.js';
import { freePort } from '../../../src/control-plane/free-port.js';
import type { TransitionEvent } from '../../../src/controller/transition-events.js';

// The queue's own rules. That the apiserver stores what the recorder sends is checked in the
// integration tests (kubectl describe / events of the operator tests).

const target = { apiVersion: 'v1', kind: 'PolicyJobWatch', name: 'w', namespace: 'ns' };
const event: TransitionEvent = {
  type: 'Normal',
  reason: 'JobSucceeded',
  message: 'job a succeeded',
};

class Lines extends Transport {
  readonly lines: Record<string, unknown>[] = [];
  override log(info: Record<string, unknown>, next: () => void): void {
    this.lines.push(info);
    next();
  }
}

function kubeConfig(port: number): KubeConfig {
  const kc = new KubeConfig();
  kc.loadFromOptions({
    // No TLS server behind it either way; skipTLSVerify only lets the request start.
    clusters: [{ name: 'c', server: `https://127.0.0.1:${String(port)}`, skipTLSVerify: true }],
    users: [{ name: 'u' }],
    contexts: [{ name: 'x', cluster: 'c', user: 'u' }],
    currentContext: 'x',
  });
  return kc;
}

describe('EventRecorder', () => {
  let server: Server | undefined;
  const sockets: Socket[] = [];
  afterEach(async () => {
    for (const s of sockets.splice(0)) s.destroy();
    await new Promise<void>((resolve) => {
      if (server)
        server.close(() => {
          resolve();
        });
      else resolve();
    });
    server = undefined;
  });

  it('past its backstop cap, drops new events, counting them, logged once per burst', async () => {
    // A server that accepts and never answers: the first event stays in flight.
    server = createServer((socket) => sockets.push(socket));
    await new Promise<void>((resolve) => server?.listen(0, '127.0.0.1', resolve));
    const address = server.address();
    const port = typeof address === 'object' && address ? address.port : 0;
    let dropped = 0;
    const lines = new Lines();
    const recorder = new EventRecorder(
      kubeConfig(port),
      winston.createLogger({ transports: [lines] }),
      {
        maxQueued: 2,
        maxInFlight: 1,
        onDropped: () => {
          dropped += 1;
        },
      },
    );
    // Five different events (a repeat would join its series instead of taking a place).
    for (let i = 0; i < 5; i++) recorder.record(target, { ...event, message: `job j${String(i)}` });
    expect(recorder.queued, 'one in flight, two waiting').to.equal(2);
    expect(recorder.inFlight).to.equal(1);
    // A repeat of one waiting or in flight is not another write, and not a drop.
    recorder.record(target, { ...event, message: 'job j1' });
    recorder.record(target, { ...event, message: 'job j0' });
    expect(recorder.queued).to.equal(2);
    expect(dropped).to.equal(2);
    const warnings = lines.lines.filter((l) => l.message === 'event queue full; dropping events');
    expect(warnings, 'one log line per burst, not one per event').to.have.length(1);
    const started = Date.now();
    await recorder.flush(300);
    expect(Date.now() - started, 'flush gives up after its timeout').to.be.within(250, 2000);
    // Once the server goes away, the queue drains and the burst's drops are reported.
    server.close();
    for (const socket of sockets.splice(0)) socket.destroy();
    await recorder.flush(5000);
    const drained = lines.lines.filter(
      (l) => l.message === 'event queue drained; some events were dropped',
    );
    expect(drained).to.have.length(1);
    expect(drained[0]).to.include({ dropped: 2, maxQueued: 2 });
  });

  it('checks canWrite before each write, and logs failed writes without throwing', async () => {
    const port = await freePort(); // nobody listens: every write fails
    const lines = new Lines();
    let leading = false;
    const recorder = new EventRecorder(
      kubeConfig(port),
      winston.createLogger({ transports: [lines] }),
      { canWrite: () => leading },
    );
    recorder.record(target, event);
    await recorder.flush(5000);
    const failures = (): number =>
      lines.lines.filter((l) => l.message === 'cannot record event').length;
    expect(failures(), 'not leading: nothing was sent').to.equal(0);
    leading = true;
    recorder.record(target, event);
    recorder.record(target, { ...event, message: 'job b succeeded' });
    await recorder.flush(5000);
    expect(recorder.queued).to.equal(0);
    expect(failures()).to.equal(2);
    // A failed event was never created: its repeat is a new attempt, not a lost series.
    recorder.record(target, event);
    await recorder.flush(5000);
    expect(failures()).to.equal(3);
    expect(lines.lines.find((l) => l.message === 'cannot record event')).to.include({
      object: 'ns/w',
      reason: 'JobSucceeded',
    });
  });
});

type CreateRequest = Parameters<EventWriter['createNamespacedEvent']>[0];
type PatchRequest = Parameters<EventWriter['patchNamespacedEvent']>[0];

/** An EventWriter that records the writes, counts those open, and answers when let go. */
class Writes {
  readonly creates: EventsV1Event[] = [];
  readonly patches: { name: string; count: number | undefined }[] = [];
  inFlight = 0;
  peak = 0;
  private held = false;
  private waiting: (() => void)[] = [];

  readonly api: EventWriter = {
    createNamespacedEvent: async (param: CreateRequest) => {
      await this.open();
      this.creates.push(structuredClone(param.body));
      return param.body;
    },
    patchNamespacedEvent: async (param: PatchRequest) => {
      await this.open();
      const body = param.body as { series?: { count?: number } };
      this.patches.push({ name: param.name, count: body.series?.count });
      return {} as EventsV1Event;
    },
  };

  /** Writes wait until release(). */
  hold(): void {
    this.held = true;
  }

  release(): void {
    this.held = false;
    for (const resolve of this.waiting.splice(0)) resolve();
  }

  private async open(): Promise<void> {
    this.inFlight += 1;
    this.peak = Math.max(this.peak, this.inFlight);
    try {
      if (this.held) await new Promise<void>((resolve) => this.waiting.push(resolve));
      else await new Promise<void>((resolve) => setImmediate(resolve));
    } finally {
      this.inFlight -= 1;
    }
  }
}

const silent = (): winston.Logger =>
  winston.createLogger({ transports: [new winston.transports.Console({ silent: true })] });
const job = (i: number): TransitionEvent => ({ ...event, message: `job j${String(i)} succeeded` });
/** Lets the writes that can start, start (and answer). */
const ticks = async (n = 5): Promise<void> => {
  for (let i = 0; i < n; i++) await new Promise<void>((resolve) => setImmediate(resolve));
};

describe('EventRecorder: queue, pacing and merging', () => {
  const kc = kubeConfig(1); // never used: the writes go to `api`

  it('a burst far past client-go’s 1,000 is written whole, in order, within the in-flight bound', async () => {
    const writes = new Writes();
    let dropped = 0;
    const recorder = new EventRecorder(kc, silent(), {
      api: writes.api,
      qps: 100_000,
      burst: 100_000,
      maxInFlight: 3,
      onDropped: () => {
        dropped += 1;
      },
    });
    for (let i = 0; i < 5000; i++) recorder.record(target, job(i));
    expect(recorder.queued + recorder.inFlight).to.equal(5000);
    await recorder.flush(30_000);
    expect(dropped).to.equal(0);
    expect(writes.creates.map((e) => e.note)).to.deep.equal(
      Array.from({ length: 5000 }, (_, i) => job(i).message),
    );
    expect(writes.peak).to.equal(3);
    expect(recorder.queued).to.equal(0);
  });

  it('the token bucket lets the burst go at once, then no more until it refills', async () => {
    const writes = new Writes();
    // A refill of one token in 1,000 s: none comes during the test.
    const recorder = new EventRecorder(kc, silent(), {
      api: writes.api,
      qps: 0.001,
      burst: 10,
      maxInFlight: 4,
    });
    for (let i = 0; i < 30; i++) recorder.record(target, job(i));
    await ticks(20);
    expect(writes.creates).to.have.length(10);
    expect(recorder.queued, 'the rest waits, none is dropped').to.equal(20);
    expect(writes.peak).to.be.at.most(4);
    recorder.close();
    expect(recorder.queued).to.equal(0);
  });

  it('and once it refills, the queue drains to the end', async () => {
    const writes = new Writes();
    const recorder = new EventRecorder(kc, silent(), {
      api: writes.api,
      qps: 200,
      burst: 1,
      maxInFlight: 4,
    });
    for (let i = 0; i < 20; i++) recorder.record(target, job(i));
    await ticks();
    expect(writes.creates.length, 'one token to start with').to.be.below(20);
    await recorder.flush(10_000);
    expect(writes.creates).to.have.length(20);
  });

  it('repeats of an event still queued merge into it: one create with the series count', async () => {
    const writes = new Writes();
    writes.hold();
    const recorder = new EventRecorder(kc, silent(), { api: writes.api, maxInFlight: 1 });
    recorder.record(target, job(0)); // in flight, held
    await ticks();
    for (let i = 0; i < 4; i++) {
      recorder.record(target, job(1));
      recorder.record(target, job(2));
    }
    expect(recorder.queued, 'two events queued, not eight').to.equal(2);
    writes.release();
    await recorder.flush(10_000);
    expect(writes.creates.map((e) => [e.note, e.series?.count])).to.deep.equal([
      [job(0).message, undefined],
      [job(1).message, 4],
      [job(2).message, 4],
    ]);
    expect(writes.patches).to.deep.equal([]);
  });

  it('writes the event as recorded, its time the first observation, however long it waited', async () => {
    const writes = new Writes();
    writes.hold();
    let clock = new Date('2026-12-07T10:00:00.123Z');
    const recorder = new EventRecorder(kc, silent(), {
      api: writes.api,
      maxInFlight: 1,
      instance: 'pod-1',
      now: () => clock,
    });
    const regarding = { ...target, uid: 'u-1' };
    recorder.record(regarding, job(0)); // in flight, held
    const first = clock;
    recorder.record(regarding, { type: 'Warning', reason: 'JobFailed', message: 'job "b" failed' });
    clock = new Date(first.getTime() + 60_000);
    writes.release();
    await recorder.flush(10_000);
    expect(writes.creates).to.have.length(2);
    const failed = writes.creates[1];
    const name = failed?.metadata?.name ?? '';
    expect(name).to.match(/^w\.[0-9a-f]+$/);
    expect(failed).to.deep.equal({
      metadata: { name, namespace: 'ns' },
      eventTime: new Date(first.getTime()),
      reportingController: 'policyjobwatch',
      reportingInstance: 'pod-1',
      action: 'PollJob',
      reason: 'JobFailed',
      type: 'Warning',
      note: 'job "b" failed',
      regarding: {
        apiVersion: 'v1',
        kind: 'PolicyJobWatch',
        namespace: 'ns',
        name: 'w',
        uid: 'u-1',
      },
    });
  });

  it('an Event gone from the apiserver is created again with its series', async () => {
    const creates: EventsV1Event[] = [];
    const api: EventWriter = {
      createNamespacedEvent: async (param: CreateRequest) => {
        await ticks(1);
        creates.push(structuredClone(param.body));
        return param.body;
      },
      patchNamespacedEvent: async () => {
        await ticks(1);
        throw new ApiException(404, 'Not Found', '{"message":"not found"}', {});
      },
    };
    const recorder = new EventRecorder(kc, silent(), { api, maxInFlight: 1 });
    recorder.record(target, job(0));
    await recorder.flush(10_000);
    recorder.record(target, job(0));
    await recorder.flush(10_000);
    expect(creates.map((e) => [e.metadata?.name, e.note, e.series?.count])).to.deep.equal([
      [creates[0]?.metadata?.name, job(0).message, undefined],
      [creates[0]?.metadata?.name, job(0).message, 2],
    ]);
    expect(creates[1]?.eventTime, 'the first occurrence').to.deep.equal(creates[0]?.eventTime);
  });

  it('a repeat while the first write is in flight is one PATCH after it, with the count', async () => {
    const writes = new Writes();
    writes.hold();
    const recorder = new EventRecorder(kc, silent(), { api: writes.api });
    recorder.record(target, job(0));
    await ticks();
    recorder.record(target, job(0));
    recorder.record(target, job(0));
    writes.release();
    await recorder.flush(10_000);
    expect(writes.creates).to.have.length(1);
    expect(writes.patches).to.deep.equal([
      { name: writes.creates[0]?.metadata?.name ?? '', count: 3 },
    ]);
  });

  it('merges into a queued event however many wait (more than the series cache keeps)', async () => {
    const writes = new Writes();
    writes.hold();
    let dropped = 0;
    const recorder = new EventRecorder(kc, silent(), {
      api: writes.api,
      maxInFlight: 1,
      onDropped: () => {
        dropped += 1;
      },
    });
    const n = MAX_SERIES + 1000;
    for (let i = 0; i < n; i++) recorder.record(target, job(i));
    await ticks();
    const queued = recorder.queued;
    expect(queued).to.equal(n - 1);
    // The second event is the oldest waiting: a plain LRU of 4,096 would have forgotten it.
    recorder.record(target, job(1));
    expect(recorder.queued, 'merged, not queued twice').to.equal(queued);
    recorder.close();
    expect(dropped).to.equal(0);
    writes.release();
    await recorder.flush(10_000);
  });

  it('close() leaves what is queued unwritten, logs how many, and ignores later events', async () => {
    const writes = new Writes();
    writes.hold();
    const lines = new Lines();
    const recorder = new EventRecorder(kc, winston.createLogger({ transports: [lines] }), {
      api: writes.api,
      maxInFlight: 1,
    });
    for (let i = 0; i < 4; i++) recorder.record(target, job(i));
    await ticks();
    recorder.close();
    recorder.record(target, job(9));
    writes.release();
    await recorder.flush(10_000);
    expect(writes.creates.map((e) => e.note)).to.deep.equal([job(0).message]);
    expect(lines.lines.find((l) => l.message === 'events not written at shutdown')).to.include({
      events: 3,
    });
  });
});
