import { expect } from 'chai';
import { generateControlPlaneCerts } from '../../../src/control-plane/certs.js';
import { UcsTransport } from '../../../src/ucs/index.js';
import {
  SEED_BODY,
  reply,
  startConnectProxy,
  startServer,
  type CountingProxy,
  type LocalServer,
} from './local-servers.js';

const PROXY_VARS = ['HTTP_PROXY', 'HTTPS_PROXY', 'NO_PROXY', 'ALL_PROXY'];
const TOKEN = { kind: 'token', token: 'tok-proxy' } as const;

describe('ucs transport: proxies and TLS', () => {
  let saved: Record<string, string | undefined> = {};
  let server: LocalServer | undefined;
  let proxy: CountingProxy | undefined;
  let transport: UcsTransport | undefined;

  beforeEach(() => {
    saved = {};
    for (const name of PROXY_VARS.flatMap((v) => [v, v.toLowerCase()])) {
      saved[name] = process.env[name];
      Reflect.deleteProperty(process.env, name);
    }
  });

  afterEach(async () => {
    for (const [name, value] of Object.entries(saved)) {
      if (value === undefined) Reflect.deleteProperty(process.env, name);
      else process.env[name] = value;
    }
    transport?.close();
    await server?.close();
    await proxy?.close();
    server = undefined;
    proxy = undefined;
    transport = undefined;
  });

  it('goes through HTTP_PROXY when set', async () => {
    server = await startServer((_req, res) => {
      reply(res, 200, SEED_BODY);
    });
    proxy = await startConnectProxy();
    process.env.HTTP_PROXY = proxy.url;
    transport = new UcsTransport({ qps: Infinity });
    const result = await transport.client(server.url, TOKEN).getJob('via-proxy');
    expect(result.ok).to.be.true;
    expect(proxy.tunnels).to.deep.equal([new URL(server.url).host]);
    expect(server.requests[0]?.url).to.equal('/v1/policy/jobs/via-proxy');
  });

  it('does not use the proxy for hosts in NO_PROXY', async () => {
    server = await startServer((_req, res) => {
      reply(res, 200, SEED_BODY);
    });
    proxy = await startConnectProxy();
    process.env.http_proxy = proxy.url;
    process.env.no_proxy = 'localhost,127.0.0.1';
    transport = new UcsTransport({ qps: Infinity });
    expect((await transport.client(server.url, TOKEN).getJob('direct')).ok).to.be.true;
    expect(proxy.tunnels).to.deep.equal([]);
    expect(server.requests).to.have.length(1);
  });

  it('reports an unreachable proxy as Unavailable', async () => {
    server = await startServer((_req, res) => {
      reply(res, 200, SEED_BODY);
    });
    process.env.HTTP_PROXY = 'http://127.0.0.1:1';
    transport = new UcsTransport({ qps: Infinity });
    const result = await transport.client(server.url, TOKEN).getJob('x');
    expect(result.ok).to.be.false;
    if (!result.ok) expect(result.error).to.include({ reason: 'Unavailable', retryable: true });
    expect(server.requests).to.have.length(0);
  });

  describe('with a private CA', function () {
    this.timeout(20_000);
    let certs: Awaited<ReturnType<typeof generateControlPlaneCerts>>;

    before(async () => {
      certs = await generateControlPlaneCerts();
    });

    it('verifies TLS: an unknown CA fails, the extra CA bundle makes it pass', async () => {
      server = await startServer((_req, res) => {
        reply(res, 200, SEED_BODY);
      }, certs.serving);
      transport = new UcsTransport({ qps: Infinity });
      const refused = await transport.client(server.url, TOKEN).getJob('tls');
      expect(refused.ok).to.be.false;
      if (!refused.ok) {
        expect(refused.error.reason).to.equal('Unavailable');
        expect(refused.error.message).to.include('TLS verification failed');
      }
      transport.close();
      transport = new UcsTransport({ qps: Infinity, caBundle: certs.ca.cert });
      const accepted = await transport.client(server.url, TOKEN).getJob('tls');
      expect(accepted.ok).to.be.true;
      expect(server.requests).to.have.length(1);
    });

    it('tunnels HTTPS through HTTPS_PROXY, still verifying the target', async () => {
      server = await startServer((_req, res) => {
        reply(res, 200, SEED_BODY);
      }, certs.serving);
      proxy = await startConnectProxy();
      process.env.HTTPS_PROXY = proxy.url;
      transport = new UcsTransport({ qps: Infinity, caBundle: certs.ca.cert });
      const client = transport.client(server.url, TOKEN);
      expect((await client.getJob('a')).ok).to.be.true;
      expect((await client.getJob('b')).ok).to.be.true;
      expect(proxy.tunnels.length).to.be.within(1, 2);
      expect(proxy.tunnels[0]).to.equal(new URL(server.url).host);
      transport.close();
      transport = new UcsTransport({ qps: Infinity });
      const refused = await transport.client(server.url, TOKEN).getJob('c');
      expect(refused.ok).to.be.false;
    });
  });
});
