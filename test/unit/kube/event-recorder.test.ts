import { createServer, type Server, type Socket } from 'node:net';
import { KubeConfig } from '@kubernetes/client-node';
import { expect } from 'chai';
import winston from 'winston';
import Transport from 'winston-transport';
import { EventRecorder } from '../../../src/kube/event-recorder.js';
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

  it('returns at once and drops what does not fit in its queue, counting it', async () => {
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
        concurrency: 1,
        onDropped: () => {
          dropped += 1;
        },
      },
    );
    // Five different events (a repeat would join its series instead of taking a place).
    for (let i = 0; i < 5; i++) recorder.record(target, { ...event, message: `job j${String(i)}` });
    expect(recorder.queued, 'one in flight, two waiting').to.equal(2);
    // A repeat of one waiting or in flight is not another write, and not a drop.
    recorder.record(target, { ...event, message: 'job j1' });
    expect(recorder.queued).to.equal(2);
    expect(dropped).to.equal(2);
    const warnings = lines.lines.filter((l) => l.message === 'event queue full; dropping events');
    expect(warnings, 'one log line per minute, not one per event').to.have.length(1);
    const started = Date.now();
    await recorder.flush(300);
    expect(Date.now() - started, 'flush gives up after its timeout').to.be.within(250, 2000);
    // Once the server goes away, the queue drains and the last drop is reported.
    server.close();
    for (const socket of sockets.splice(0)) socket.destroy();
    await recorder.flush(5000);
    const drained = lines.lines.find(
      (l) => l.message === 'event queue drained; some events were dropped',
    );
    expect(drained, 'the drops after the first line are reported when the queue drains').to.include(
      { dropped: 1 },
    );
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
