import { expect } from 'chai';
import { WorkQueue } from '../../../src/controller/work-queue.js';
import { sleep } from '../../../harness/eventually.js';

describe('WorkQueue', () => {
  it('queues a key once however often it is added', async () => {
    const q = new WorkQueue();
    q.add('a');
    q.add('b');
    q.add('a');
    expect(q.length).to.equal(2);
    expect(await q.get()).to.equal('a');
    expect(await q.get()).to.equal('b');
  });

  it('never hands one key to two workers; an add during processing comes back after done', async () => {
    const q = new WorkQueue();
    q.add('a');
    const first = await q.get();
    q.add('a');
    expect(q.length).to.equal(0, 'not queued while processing');
    let second: string | undefined;
    void q.get().then((k) => (second = k));
    await sleep(5);
    expect(second).to.equal(undefined);
    q.done(first!);
    await sleep(5);
    expect(second).to.equal('a');
  });

  it('adds after a delay, keeping the earliest of two scheduled adds', async () => {
    const q = new WorkQueue();
    q.addAfter('a', 200);
    q.addAfter('a', 20);
    q.addAfter('a', 500);
    await sleep(60);
    expect(q.length).to.equal(1);
  });

  it('backs off exponentially per key, honours a minimum delay, and forgets on success', () => {
    const q = new WorkQueue({ baseMs: 100, maxMs: 1000, jitter: 0 }, undefined, () => 0.5);
    expect(q.addRateLimited('a')).to.equal(100);
    expect(q.addRateLimited('a')).to.equal(200);
    expect(q.addRateLimited('a')).to.equal(400);
    expect(q.addRateLimited('a')).to.equal(800);
    expect(q.addRateLimited('a')).to.equal(1000);
    expect(q.addRateLimited('b', 5000)).to.equal(5000);
    expect(q.failureCount('a')).to.equal(5);
    q.forget('a');
    expect(q.addRateLimited('a')).to.equal(100);
    q.shutDown();
  });

  it('applies ±jitter to the backoff', () => {
    const low = new WorkQueue({ baseMs: 1000, maxMs: 10_000, jitter: 0.1 }, undefined, () => 0);
    const high = new WorkQueue({ baseMs: 1000, maxMs: 10_000, jitter: 0.1 }, undefined, () => 1);
    expect(low.addRateLimited('a')).to.equal(900);
    expect(high.addRateLimited('a')).to.equal(1100);
    low.shutDown();
    high.shutDown();
  });

  it('releases waiting workers on shutdown', async () => {
    const q = new WorkQueue();
    const waiting = q.get();
    q.shutDown();
    expect(await waiting).to.equal(undefined);
    q.add('x');
    expect(await q.get()).to.equal(undefined);
  });

  it('reports depth, adds and time in queue', async () => {
    const depths: number[] = [];
    let adds = 0;
    const waits: number[] = [];
    const q = new WorkQueue(undefined, {
      depth: (v) => depths.push(v),
      added: () => (adds += 1),
      queued: (s) => waits.push(s),
    });
    q.add('a');
    q.add('b');
    await sleep(10);
    await q.get();
    expect(adds).to.equal(2);
    expect(depths).to.deep.equal([1, 2, 1]);
    expect(waits[0]).to.be.greaterThan(0.005);
  });

  it('hands out thousands of keys in the order they came, while more arrive', async () => {
    const q = new WorkQueue();
    const taken: string[] = [];
    for (let i = 0; i < 3000; i++) q.add(`k${String(i)}`);
    for (let i = 0; i < 2500; i++) {
      const key = await q.get();
      if (key !== undefined) {
        taken.push(key);
        q.done(key);
      }
    }
    for (let i = 3000; i < 5000; i++) q.add(`k${String(i)}`);
    expect(q.length).to.equal(2500);
    while (q.length > 0) {
      const key = await q.get();
      if (key !== undefined) {
        taken.push(key);
        q.done(key);
      }
    }
    expect(taken).to.deep.equal(Array.from({ length: 5000 }, (_, i) => `k${String(i)}`));
  });

  it('tells how far away a scheduled add is, and nothing once it came or for unscheduled keys', async () => {
    const q = new WorkQueue();
    expect(q.scheduledIn('a')).to.equal(undefined);
    q.addAfter('a', 40);
    expect(q.scheduledIn('a')).to.be.within(1, 40);
    expect(q.scheduledIn('a', Date.now() + 1_000), 'never negative').to.equal(0);
    await sleep(70);
    expect(q.scheduledIn('a')).to.equal(undefined);
    q.addAfter('b', 1_000);
    q.add('b');
    expect(q.scheduledIn('b'), 'an add now cancels the scheduled one').to.equal(undefined);
    q.shutDown();
  });

  it('queues news without touching the poll schedule, and tells the worker it is news only', async () => {
    const q = new WorkQueue();
    q.addAfter('a', 50);
    q.addNews('a');
    expect(await q.get()).to.equal('a');
    expect(q.isNewsOnly('a')).to.equal(true);
    q.done('a');
    expect(q.isNewsOnly('a')).to.equal(false);
    await sleep(80);
    expect(q.length, 'the scheduled add still came').to.equal(1);
    expect(await q.get()).to.equal('a');
    expect(q.isNewsOnly('a'), 'a scheduled turn is a full one').to.equal(false);
    q.done('a');
    q.addNews('b');
    q.add('b');
    expect(await q.get()).to.equal('b');
    expect(q.isNewsOnly('b'), 'any other add makes it a full turn').to.equal(false);
    q.done('b');
    q.add('c');
    q.addNews('c');
    expect(await q.get()).to.equal('c');
    expect(q.isNewsOnly('c')).to.equal(false);
  });
});
