/**
 * The event recorder against the real kube-apiserver: events.k8s.io/v1 Events with the fields
 * client-go's events recorder sets, repeats as a series PATCH, and what the pinned kubectl
 * shows of them (`kubectl events`, `kubectl describe`).
 */
import { expect } from 'chai';
import { EventsV1Api, type EventsV1Event } from '@kubernetes/client-node';
import winston from 'winston';
import { API_VERSION, KIND } from '../../../src/api/index.js';
import { EVENT_ACTION, EventRecorder } from '../../../src/kube/event-recorder.js';
import { SERIES_WINDOW_MS } from '../../../src/kube/event-series.js';
import type { TransitionEvent } from '../../../src/controller/transition-events.js';
import { adminKubeConfig, kubectl } from '../../support/control-plane.js';
import { eventTarget } from './event-target.js';
import { PolicyJobWatchClient } from '../../support/policyjobwatch-client.js';

const NS = 'events-v1';
const INSTANCE = 'policyjobwatch-7d9c5b-x2k4q';
const succeeded: TransitionEvent = {
  type: 'Normal',
  reason: 'JobSucceeded',
  message: 'job a succeeded (3/3 tasks succeeded, 0 failed)',
};

/** client-node leaves MicroTime fields as the strings the apiserver sent. */
const ms = (t: unknown): number => new Date(String(t)).getTime();

describe('events.k8s.io/v1 Events on the real apiserver, as kubectl shows them', function () {
  this.timeout(60_000);
  const h = new PolicyJobWatchClient(adminKubeConfig, NS);
  const failures: string[] = [];
  // Ten minutes ago, so that every eventTime is in the past for kubectl's ages.
  let clock = new Date(Date.now() - 10 * 60_000);
  let recorder: EventRecorder;
  let events: EventsV1Api;
  let uid: string;

  const list = async (): Promise<EventsV1Event[]> =>
    (await events.listNamespacedEvent({ namespace: NS })).items.sort((a, b) =>
      (a.metadata?.name ?? '').localeCompare(b.metadata?.name ?? ''),
    );
  const record = async (event: TransitionEvent, advanceMs = 10_000): Promise<void> => {
    clock = new Date(clock.getTime() + advanceMs);
    recorder.record({ apiVersion: API_VERSION, kind: KIND, namespace: NS, name: 'w', uid }, event);
    await recorder.flush(10_000);
  };

  before(async () => {
    uid = await eventTarget(h, NS);
    events = h.kc.makeApiClient(EventsV1Api);
    const log = winston.createLogger({
      transports: [new winston.transports.Console({ silent: true })],
    });
    log.on('data', (info: { message: string }) => failures.push(info.message));
    recorder = new EventRecorder(h.kc, log, { instance: INSTANCE, now: () => clock });
  });

  after(async () => {
    await h.core.deleteNamespace({ name: NS }).catch(() => undefined);
  });

  it('writes an events.k8s.io/v1 Event regarding the resource, with reportingController/Instance and action', async () => {
    await record(succeeded);
    const [event, ...more] = await list();
    expect(more).to.deep.equal([]);
    expect(event).to.deep.include({
      type: 'Normal',
      reason: 'JobSucceeded',
      note: succeeded.message,
      action: EVENT_ACTION,
      reportingController: 'policyjobwatch',
      reportingInstance: INSTANCE,
    });
    expect(event?.regarding).to.deep.include({
      apiVersion: API_VERSION,
      kind: KIND,
      namespace: NS,
      name: 'w',
      uid,
    });
    expect(ms(event?.eventTime)).to.equal(clock.getTime());
    expect(event?.series).to.equal(undefined);
    expect(event?.metadata?.name).to.match(/^w\.[0-9a-f]+$/);
    expect(failures).to.deep.equal([]);
  });

  it('a repeat within the window is a series on the same Event (PATCH), not a new one', async () => {
    const [first] = await list();
    await record(succeeded);
    await record(succeeded);
    const [event, ...more] = await list();
    expect(more, 'still one Event').to.deep.equal([]);
    expect(event?.metadata?.name).to.equal(first?.metadata?.name);
    expect(event?.series?.count).to.equal(3);
    expect(ms(event?.series?.lastObservedTime)).to.equal(clock.getTime());
    expect(ms(event?.eventTime), 'eventTime is the first occurrence').to.equal(
      ms(first?.eventTime),
    );
  });

  it('another note (another job) is another Event; after the window, a repeat starts anew', async () => {
    await record({ ...succeeded, message: 'job b succeeded' });
    expect(await list()).to.have.length(2);
    await record(succeeded, SERIES_WINDOW_MS + 1000);
    const all = await list();
    expect(all).to.have.length(3);
    const latest = all.find((e) => ms(e.eventTime) === clock.getTime());
    expect(latest?.note).to.equal(succeeded.message);
    expect(latest?.series).to.equal(undefined);
    expect(failures).to.deep.equal([]);
  });

  it('kubectl events and kubectl describe show them, the series with its count', async () => {
    const shown = await kubectl(['events', '-n', NS, '--for', 'policyjobwatch/w']);
    expect(shown.code, shown.stderr).to.equal(0);
    const lines = shown.stdout.split('\n');
    expect(lines[0]).to.match(/^LAST SEEN\s+TYPE\s+REASON\s+OBJECT\s+MESSAGE/);
    const series = lines.filter((l) => l.includes(succeeded.message));
    expect(series).to.have.length(2);
    expect(series.join('\n')).to.match(
      /\(x3 over \d+m\d*s?\)\s+Normal\s+JobSucceeded\s+PolicyJobWatch\/w\s+job a succeeded/,
    );
    expect(shown.stdout).to.match(/Normal\s+JobSucceeded\s+PolicyJobWatch\/w\s+job b succeeded/);

    const described = await kubectl(['describe', 'policyjobwatch', 'w', '-n', NS]);
    expect(described.code, described.stderr).to.equal(0);
    const section = described.stdout.slice(described.stdout.indexOf('Events:'));
    expect(section).to.match(/Type\s+Reason\s+Age\s+From\s+Message/);
    expect(section).to.match(
      /Normal\s+JobSucceeded\s+\S+ \(x3 over \S+\)\s+policyjobwatch\s+job a succeeded/,
    );
    expect(section).to.match(/Normal\s+JobSucceeded\s+\S+\s+policyjobwatch\s+job b succeeded/);
  });
});
