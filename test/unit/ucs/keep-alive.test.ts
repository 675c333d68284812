import { expect } from 'chai';
import net from 'node:net';
import { HttpSender } from '../../../src/ucs/http/http-sender.js';
import { reply, startServer, type LocalServer } from './local-servers.js';

interface KeepAliveHandle {
  setKeepAlive: (this: KeepAliveHandle, enable: boolean, delaySeconds: number) => number;
}

/** The prototype of Node's TCP handle, whose setKeepAlive is the setsockopt system call. */
async function tcpHandlePrototype(url: string): Promise<KeepAliveHandle> {
  const { port } = new URL(url);
  const socket = net.connect(Number(port), '127.0.0.1');
  await new Promise<void>((resolve) => socket.once('connect', resolve));
  const handle = (socket as unknown as { _handle: object })._handle;
  socket.destroy();
  return Object.getPrototypeOf(handle) as KeepAliveHandle;
}

describe('UCS HTTP keep-alive', () => {
  let server: LocalServer;
  afterEach(async () => server.close());

  it('sets TCP keep-alive once per pooled socket, not on every request', async () => {
    server = await startServer((_req, res) => {
      reply(res, 200, '{}');
    });
    const proto = await tcpHandlePrototype(server.url);
    const original = proto.setKeepAlive;
    const calls: number[] = [];
    proto.setKeepAlive = function (this: KeepAliveHandle, enable, delaySeconds) {
      calls.push(delaySeconds);
      return original.call(this, enable, delaySeconds);
    };
    const sender = new HttpSender({
      qps: 1000,
      burst: 1000,
      maxConcurrent: 1,
      timeoutMs: 5000,
      maxResponseBytes: 1 << 20,
    });
    try {
      for (let i = 0; i < 5; i++) {
        const outcome = await sender.send({
          endpoint: new URL(server.url),
          method: 'GET',
          path: `/v1/policy/jobs/${i}`,
          headers: {},
          body: '',
          service: 'UCS',
          operation: 'ShowPolicyJob',
        });
        expect(outcome.ok).to.equal(true);
      }
    } finally {
      proto.setKeepAlive = original;
      sender.close();
    }
    expect(server.requests).to.have.length(5);
    expect(calls, 'one socket, one setsockopt (60 s)').to.deep.equal([60]);
  });
});
