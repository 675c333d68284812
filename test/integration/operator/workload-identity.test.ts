import { expect } from 'chai';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { decodeJwt, decodeProtectedHeader, generateKeyPair, SignJWT } from 'jose';
import type { PolicyJobWatch } from '../../../src/api/index.js';
import { SEED_JOB_ID, UcsSimulator } from '../../../src/ucs-sim/index.js';
import { controlPlane, kubectl } from '../../support/control-plane.js';
import { eventually } from '../../../harness/eventually.js';
import { OperatorHarness } from '../../support/operator-harness.js';
import { condition } from '../../support/policyjobwatch-client.js';

const NS = 'operator-workload-identity';
const AUDIENCE = 'ucs.policyjobwatch.io';
const IDP = 'k8s-test-cluster';
const DISCOVERY_BINDING = 'policyjobwatch-test-oidc-discovery';

/**
 * Keyless end to end: a real TokenRequest token in a file, the operator exchanging it at the
 * simulator's IAM, which verifies it against the real apiserver's OIDC discovery and JWKS.
 */
describe('workload identity: a ServiceAccount token exchanged for temporary AK/SK', function () {
  this.timeout(90_000);
  const h = new OperatorHarness(NS);
  let sim: UcsSimulator;
  let dir: string;
  let tokenFile: string;
  const minted: string[] = [];

  async function mint(account: string, audience = AUDIENCE): Promise<string> {
    await h.core
      .createNamespacedServiceAccount({ namespace: NS, body: { metadata: { name: account } } })
      .catch(() => undefined);
    const answer = await h.core.createNamespacedServiceAccountToken({
      name: account,
      namespace: NS,
      body: { spec: { audiences: [audience], expirationSeconds: 600 } },
    });
    const token = answer.status?.token ?? '';
    expect(token).to.not.equal('');
    minted.push(token);
    return token;
  }

  /** What the simulator's IAM answers to an ID token, as the vendor SDK calls it. */
  async function exchange(idToken: string): Promise<{ status: number; body: string }> {
    const res = await fetch(
      `${sim.url}/v3/OS-FEDERATION/identity_providers/${IDP}/protocols/oidc/auth`,
      {
        method: 'POST',
        headers: { Authorization: `Bearer ${idToken}`, 'Content-Type': 'application/json' },
        body: '{}',
      },
    );
    return { status: res.status, body: await res.text() };
  }

  /** The resource `run` polls again with no Stalled condition. */
  async function runningAgain(): Promise<void> {
    await h.waitFor(
      'run',
      (o) => {
        expect(o.status?.phase).to.equal('Running');
        expect(condition(o, 'Stalled')).to.equal(undefined);
      },
      30_000,
    );
  }

  /** The message of IAM's (Keystone-style) error body. */
  function iamMessage(body: string): string {
    return (JSON.parse(body) as { error: { message: string } }).error.message;
  }

  function expectNoSecrets(text: string): void {
    for (const token of minted) expect(text).to.not.include(token.slice(-40));
  }

  before(async () => {
    const cp = controlPlane();
    // What a cluster does to let an outside IAM read its issuer anonymously: the built-in
    // ClusterRole for OIDC discovery, bound to unauthenticated callers.
    const bound = await kubectl([
      'create',
      'clusterrolebinding',
      DISCOVERY_BINDING,
      '--clusterrole=system:service-account-issuer-discovery',
      '--group=system:unauthenticated',
    ]);
    expect(bound.code, bound.stderr).to.equal(0);
    sim = await UcsSimulator.start({
      federation: {
        idpId: IDP,
        issuer: `${cp.serverUrl}/`,
        audience: AUDIENCE,
        ca: cp.caCertificate,
        // Short-lived temporary keys: renewal happens within the test.
        maxCredentialsTtlSeconds: 6,
      },
    });
    dir = await mkdtemp(join(tmpdir(), 'policyjobwatch-wif-'));
    tokenFile = join(dir, 'token');
    await h.start({
      ucsEndpoint: sim.url,
      iamEndpoint: sim.url,
      credentialsSecret: `${NS}/ucs-credentials`,
      pollInterval: '5s',
      idTokenFile: tokenFile,
    });
    await writeFile(tokenFile, await mint('policyjobwatch'));
    // Only the identity provider; no domainID: it is looked up with the temporary keys, as
    // the vendor SDK does. IAM is the operator's --iam-endpoint.
    await h.secret('ucs-credentials', { idpId: IDP });
  });

  after(async () => {
    await h.stop();
    await sim.stop();
    await kubectl(['delete', 'clusterrolebinding', DISCOVERY_BINDING, '--ignore-not-found']);
    await rm(dir, { recursive: true, force: true });
  });

  it('reaches Succeeded with no long-lived credential anywhere; nothing secret is logged', async () => {
    await h.create('seed', { jobIDs: [SEED_JOB_ID] });
    const obj = await h.waitFor('seed', (o) => {
      expect(condition(o, 'Ready')?.reason).to.equal('JobsSucceeded');
    });
    expect(obj.status?.phase).to.equal('Succeeded');
    const stats = sim.stats();
    expect(stats.federation.exchanges).to.be.greaterThan(0);
    expect(stats.requests.byAuth['temporary-aksk']).to.be.greaterThan(0);
    expectNoSecrets(h.logs.join('\n') + JSON.stringify(obj.status));
  });

  it('renews the temporary keys before they expire', async () => {
    sim.setJob({
      id: 'wif-run',
      tasks: [{ target: 'c1' }],
      timeline: [{ at: '0s', status: 'Running' }],
    });
    await h.create('run', { jobIDs: ['wif-run'], pollInterval: '5s' });
    await h.waitFor('run', (o) => {
      expect(o.status?.phase).to.equal('Running');
    });
    const before = sim.stats().federation.exchanges;
    const polls = sim.requestCount('wif-run');
    await eventually(
      () => {
        expect(sim.stats().federation.exchanges).to.be.at.least(before + 2);
        expect(sim.requestCount('wif-run')).to.be.at.least(polls + 2);
      },
      { timeoutMs: 40_000 },
    );
    // Every poll came with keys that were still valid: none was refused as expired.
    expect(sim.stats().requests.rejectedByReason).to.deep.equal({});
    const obj = await h.get('run');
    expect(obj.status?.jobs?.[0]?.lastError).to.equal(undefined);
    expect(condition(obj, 'Stalled')).to.equal(undefined);
  });

  it('reads the token file again at every exchange: a rotated, a missing and a good token', async () => {
    // A token for another audience: IAM refuses it, the resource says so, and no token shows.
    await writeFile(tokenFile, await mint('policyjobwatch', 'someone-else'));
    let obj = await h.waitFor(
      'run',
      (o) => {
        expect(condition(o, 'Stalled')?.reason).to.equal('CredentialsInvalid');
        expect(condition(o, 'Stalled')?.message).to.include('aud');
      },
      30_000,
    );
    expectNoSecrets(JSON.stringify(obj.status) + (await h.events()).join('\n') + h.logs.join('\n'));
    // No file: the message names it.
    await rm(tokenFile);
    obj = await h.waitFor(
      'run',
      (o) => {
        expect(condition(o, 'Stalled')?.message).to.include(tokenFile);
      },
      30_000,
    );
    expect(condition(obj, 'Stalled')?.reason).to.equal('CredentialsInvalid');
    // The kubelet writes a fresh token (here: another ServiceAccount's): back to Running.
    await writeFile(tokenFile, await mint('policyjobwatch-rotated'));
    await runningAgain();
  });

  it('an expired token gives Stalled CredentialsInvalid that says so; a fresh one is tried at once', async () => {
    const stale = await mint('policyjobwatch');
    await writeFile(tokenFile, stale);
    await h.waitFor('run', (o) => {
      expect(o.status?.phase).to.equal('Running');
      expect(condition(o, 'Stalled')).to.equal(undefined);
    });
    // The kubelet stopped rotating: IAM's clock passes the token's exp (it lives 10 minutes),
    // the temporary keys expire, and the token in the file can no longer be exchanged.
    sim.clock.advance(3600_000);
    let obj: PolicyJobWatch;
    try {
      obj = await h.waitFor(
        'run',
        (o) => {
          expect(condition(o, 'Stalled')?.reason).to.equal('CredentialsInvalid');
          expect(condition(o, 'Stalled')?.message).to.match(/"exp" claim/);
        },
        30_000,
      );
    } finally {
      sim.clock.advance(-3600_000);
    }
    const stalled = condition(obj, 'Stalled')?.message ?? '';
    expect(stalled).to.include(`identity provider "${IDP}"`);
    expectNoSecrets(JSON.stringify(obj.status) + (await h.events()).join('\n') + h.logs.join('\n'));
    // A refused token is remembered with backoff, but a new token is a new login: at once.
    const exchanges = sim.stats().federation.exchanges;
    await writeFile(tokenFile, await mint('policyjobwatch'));
    await runningAgain();
    expect(sim.stats().federation.exchanges).to.be.greaterThan(exchanges);
  });

  it("IAM refuses tokens signed by another key, expired ones, and other issuers' identity providers", async () => {
    const good = await mint('policyjobwatch');
    expect((await exchange(good)).status).to.equal(201);
    // Same claims and kid, signed with a key the apiserver never had.
    const claims = decodeJwt(good);
    const { kid, alg } = decodeProtectedHeader(good);
    expect(alg).to.be.a('string');
    const { privateKey } = await generateKeyPair(alg ?? '');
    const forged = await new SignJWT(claims)
      .setProtectedHeader({ alg: alg ?? '', ...(kid === undefined ? {} : { kid }) })
      .sign(privateKey);
    const refused = await exchange(forged);
    expect(refused.status).to.equal(401);
    // IAM's own error shape (Keystone), not the gateway's.
    expect((JSON.parse(refused.body) as { error: unknown }).error).to.deep.include({
      code: 401,
      title: 'Unauthorized',
    });
    expect(iamMessage(refused.body)).to.match(/signature/i);
    // A real token of this cluster, minted for another audience.
    const elsewhere = await exchange(await mint('policyjobwatch', 'someone-else'));
    expect(elsewhere.status).to.equal(401);
    expect(iamMessage(elsewhere.body)).to.match(/"aud" claim/);
    // Expired: the token lives 10 minutes; IAM's clock is an hour on.
    sim.clock.advance(3600_000);
    try {
      const expired = await exchange(good);
      expect(expired.status).to.equal(401);
      expect(iamMessage(expired.body)).to.match(/"exp" claim/);
    } finally {
      sim.clock.advance(-3600_000);
    }
    const unknown = await fetch(
      `${sim.url}/v3/OS-FEDERATION/identity_providers/other/protocols/oidc/auth`,
      {
        method: 'POST',
        headers: { Authorization: `Bearer ${good}` },
      },
    );
    expect(unknown.status).to.equal(404);
  });
});
