import { expect } from 'chai';
import {
  EventSeriesCache,
  eventKey,
  identityOf,
  SERIES_WINDOW_MS,
  type EventIdentity,
} from '../../../src/kube/event-series.js';

const base: EventIdentity = {
  type: 'Warning',
  reason: 'FetchFailed',
  action: 'PollJob',
  note: 'job a: ServerError: 500',
  reportingController: 'policyjobwatch',
  reportingInstance: 'pod-1',
  regarding: {
    apiVersion: 'ucs.policyjobwatch.io/v1alpha1',
    kind: 'PolicyJobWatch',
    namespace: 'ns',
    name: 'w',
    uid: 'u1',
  },
};

const t0 = new Date('2026-01-01T00:00:00Z');
const at = (ms: number): Date => new Date(t0.getTime() + ms);

describe('eventKey', () => {
  const changes: [string, Partial<EventIdentity>][] = [
    ['type', { type: 'Normal' }],
    ['reason', { reason: 'JobFailed' }],
    ['action', { action: 'Other' }],
    ['note (ours names the job)', { note: 'job b: ServerError: 500' }],
    ['reportingController', { reportingController: 'other' }],
    ['reportingInstance', { reportingInstance: 'pod-2' }],
    ['regarding name', { regarding: { ...base.regarding, name: 'v' } }],
    ['regarding namespace', { regarding: { ...base.regarding, namespace: 'n2' } }],
    ['regarding uid (a re-created resource)', { regarding: { ...base.regarding, uid: 'u2' } }],
    ['regarding kind', { regarding: { ...base.regarding, kind: 'Other' } }],
  ];
  for (const [what, change] of changes) {
    it(`differs when the ${what} differs`, () => {
      expect(eventKey({ ...base, ...change })).to.not.equal(eventKey(base));
    });
  }
  it('is the same for the same event', () => {
    expect(eventKey(structuredClone(base))).to.equal(eventKey(base));
  });
});

describe('identityOf', () => {
  it('gives back the identity a key was made of', () => {
    expect(identityOf(eventKey(base))).to.deep.equal(base);
  });
  it('leaves out a uid the identity did not have', () => {
    const { apiVersion, kind, namespace, name } = base.regarding;
    const noUid = { ...base, regarding: { apiVersion, kind, namespace, name } };
    expect(identityOf(eventKey(noUid))).to.deep.equal(noUid);
  });
  it('keeps quotes, newlines and non-ASCII text of a note', () => {
    const odd = { ...base, note: 'job "a"\nfailed: 失败 \\ ]' };
    expect(identityOf(eventKey(odd))).to.deep.equal(odd);
  });
});

describe('EventSeriesCache', () => {
  it('a repeat within the window joins the series: count and last observation move', () => {
    const cache = new EventSeriesCache<string>();
    let made = 0;
    const make = (): string => `event-${String(++made)}`;
    const first = cache.observe('k', t0, make);
    expect(first.kind).to.equal('new');
    expect(first.entry).to.deep.include({ value: 'event-1', count: 1 });
    const second = cache.observe('k', at(60_000), make);
    expect(second.kind).to.equal('repeat');
    expect(second.entry).to.equal(first.entry);
    expect(second.entry).to.deep.include({ value: 'event-1', count: 2, lastObserved: at(60_000) });
    expect(second.entry.firstObserved).to.deep.equal(t0);
    // Each repeat restarts the window: 5 min after the last one is still the series.
    const third = cache.observe('k', at(60_000 + SERIES_WINDOW_MS - 1), make);
    expect(third).to.deep.include({ kind: 'repeat' });
    expect(third.entry.count).to.equal(3);
    expect(made, 'a repeat makes no new event').to.equal(1);
  });

  it('after a window without repeats the series is closed: the next one is new', () => {
    const cache = new EventSeriesCache<string>();
    cache.observe('k', t0, () => 'a');
    const later = cache.observe('k', at(SERIES_WINDOW_MS + 1), () => 'b');
    expect(later.kind).to.equal('new');
    expect(later.entry).to.deep.include({ value: 'b', count: 1 });
  });

  it('other keys are other events', () => {
    const cache = new EventSeriesCache<string>();
    cache.observe('k', t0, () => 'a');
    expect(cache.observe('j', t0, () => 'b').kind).to.equal('new');
    expect(cache.size).to.equal(2);
  });

  it('forgets expired entries and, past its bound, the least recently observed', () => {
    const cache = new EventSeriesCache<string>(1000, 3);
    cache.observe('a', t0, () => 'a');
    cache.observe('b', at(1), () => 'b');
    cache.observe('c', at(2), () => 'c');
    cache.observe('a', at(3), () => 'a'); // a is now the most recent
    cache.observe('d', at(4), () => 'd'); // over the bound: b goes
    expect(cache.size).to.equal(3);
    expect(cache.observe('b', at(5), () => 'b2').kind).to.equal('new');
    expect(cache.observe('a', at(6), () => 'x').kind).to.equal('repeat');
    // All expire after the window.
    cache.observe('z', at(5000), () => 'z');
    expect(cache.size).to.equal(1);
  });

  it('forget drops an entry (a first write that failed)', () => {
    const cache = new EventSeriesCache<string>();
    const { entry } = cache.observe('k', t0, () => 'a');
    cache.forget(entry);
    expect(cache.observe('k', at(1), () => 'b').kind).to.equal('new');
  });
});

describe('EventSeriesCache: held entries (events waiting to be written)', () => {
  it('a held entry takes every repeat, past its window and past the bound', () => {
    const cache = new EventSeriesCache<string>(1000, 2);
    const { entry } = cache.observe('k', t0, () => 'k');
    cache.hold(entry);
    // More open series than the bound, and long after the window: k is still the one.
    for (let i = 0; i < 5; i++) cache.observe(`o${String(i)}`, at(10_000 + i), () => 'o');
    const repeat = cache.observe('k', at(20_000), () => 'new k');
    expect(repeat.kind).to.equal('repeat');
    expect(repeat.entry).to.equal(entry);
    expect(entry).to.deep.include({ count: 2, lastObserved: at(20_000) });
    expect(cache.heldCount).to.equal(1);
  });

  it('released, it is an open series again until its window passes', () => {
    const cache = new EventSeriesCache<string>(1000);
    const { entry } = cache.observe('k', t0, () => 'k');
    cache.hold(entry);
    cache.release(entry, at(500));
    expect(cache.heldCount).to.equal(0);
    expect(cache.observe('k', at(900), () => 'x').kind).to.equal('repeat');
    // Released after its window: closed at once.
    cache.hold(entry);
    cache.release(entry, at(900 + 1001));
    expect(cache.observe('k', at(900 + 1002), () => 'x').kind).to.equal('new');
  });

  it('a released entry that stands after newer ones still closes on its own window', () => {
    const cache = new EventSeriesCache<string>(1000);
    const { entry } = cache.observe('k', t0, () => 'k');
    cache.hold(entry);
    cache.observe('n', at(800), () => 'n');
    cache.release(entry, at(900)); // now after n in the map, though observed before it
    // n is still open, so expiry stops there; k's own window decides.
    expect(cache.observe('k', at(1100), () => 'k2').kind).to.equal('new');
  });

  it('forget drops a held entry too', () => {
    const cache = new EventSeriesCache<string>();
    const { entry } = cache.observe('k', t0, () => 'a');
    cache.hold(entry);
    cache.forget(entry);
    expect(cache.size).to.equal(0);
    expect(cache.observe('k', at(1), () => 'b').kind).to.equal('new');
  });
});
