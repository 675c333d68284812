import { expect } from 'chai';
import { AKSKSigner } from '@huaweicloud/huaweicloud-sdk-core/auth/AKSKSigner.js';
import type { ICredential } from '@huaweicloud/huaweicloud-sdk-core/auth/ICredential.js';
import { signRequest, type SigningCredentials } from '../../../src/ucs/auth/sdk-signer.js';
import { UcsSimulator } from '../../../src/ucs-sim/index.js';
import { admin, getJob, send, SEED_ID, type RawRequest } from './sim-http.js';
import { sleep } from '../../../harness/eventually.js';

const AK = 'QTWAOYTTINDUT2QVKYUC';
const SK = 'MFyfvK41ba2giqM7Uio6PznpdUKGpownRZlmVmHc';
/** The account the AK/SK belongs to, configured in the simulators below. */
const DOMAIN_ID = '05495693d180d3c90f9ec0171879f760';
const UNAUTHORIZED = { error_code: 'UCS.00000018', error_msg: 'Authorization failed.' };

function hostOf(url: string): string {
  return new URL(url).host;
}

/** A request signed with the project's signer, as the UCS client will send it. */
function signed(
  url: string,
  req: { method?: string; path: string; body?: string },
  credentials: SigningCredentials = { accessKey: AK, secretKey: SK, domainID: DOMAIN_ID },
  now?: Date,
): RawRequest {
  const headers = { host: hostOf(url), 'Content-Type': 'application/json' };
  const method = req.method ?? 'GET';
  const added = signRequest(
    { method, url: req.path, headers, body: req.body ?? '' },
    credentials,
    now,
  );
  return { method, path: req.path, headers: { ...headers, ...added }, body: req.body ?? '' };
}

/** Headers the vendor SDK's AKSKSigner produces for a GET with these query parameters. */
function vendorSigned(
  url: string,
  path: string,
  query: Record<string, string>,
  sk = SK,
): RawRequest {
  const credential: ICredential = {
    getAk: () => AK,
    getSk: () => sk,
    processAuthRequest: () => Promise.reject(new Error('unused')),
    processAuthParams: () => Promise.reject(new Error('unused')),
  };
  const request = {
    method: 'GET',
    endpoint: `${url}${path}`,
    queryParams: query,
    headers: {
      'Content-Type': 'application/json',
      'X-Domain-Id': DOMAIN_ID,
    },
  };
  const headers = AKSKSigner.sign(request, credential) as Record<string, string>;
  const search = new URLSearchParams(query).toString();
  return { path: search === '' ? path : `${path}?${search}`, headers };
}

async function expectUnauthorized(
  promise: Promise<{ status: number; body: string }>,
): Promise<void> {
  const res = await promise;
  expect(res.status).to.equal(401);
  expect(JSON.parse(res.body)).to.deep.equal(UNAUTHORIZED);
}

describe('ucs-sim: authentication', () => {
  describe('with no auth configured', () => {
    it('does not check requests', async () => {
      const sim = await UcsSimulator.start();
      try {
        expect((await getJob(sim.url, SEED_ID)).status).to.equal(200);
        expect(sim.stats().requests.byAuth).to.deep.equal({ none: 1 });
      } finally {
        await sim.stop();
      }
    });
  });

  describe('a fixed token', () => {
    let sim: UcsSimulator;
    before(async () => {
      sim = await UcsSimulator.start({ token: 'fixed-token' });
    });
    after(async () => {
      await sim.stop();
    });

    it('accepts the token in X-Auth-Token', async () => {
      expect((await getJob(sim.url, SEED_ID, { 'X-Auth-Token': 'fixed-token' })).status).to.equal(
        200,
      );
    });

    it('refuses a missing, wrong or truncated token with 401 UCS.00000018', async () => {
      await expectUnauthorized(getJob(sim.url, SEED_ID));
      await expectUnauthorized(getJob(sim.url, SEED_ID, { 'X-Auth-Token': 'other-token' }));
      await expectUnauthorized(getJob(sim.url, SEED_ID, { 'X-Auth-Token': 'fixed-toke' }));
    });

    it('refuses an AK/SK signature when AK/SK is not enabled', async () => {
      await expectUnauthorized(
        send(sim.url, signed(sim.url, { path: `/v1/policy/jobs/${SEED_ID}` })),
      );
    });

    it('refuses the token once revoked through the admin API, until reset', async () => {
      const revoked = await admin(sim.url, 'POST', 'tokens/revoke', { token: 'fixed-token' });
      expect(revoked.json).to.deep.equal({ revoked: 1 });
      await expectUnauthorized(getJob(sim.url, SEED_ID, { 'X-Auth-Token': 'fixed-token' }));
      expect(sim.stats().requests.rejectedByReason).to.include({ RevokedToken: 1 });
      sim.reset();
      expect((await getJob(sim.url, SEED_ID, { 'X-Auth-Token': 'fixed-token' })).status).to.equal(
        200,
      );
    });
  });

  describe('AK/SK signing (SDK-HMAC-SHA256)', () => {
    let sim: UcsSimulator;
    const jobPath = `/v1/policy/jobs/${SEED_ID}`;
    before(async () => {
      sim = await UcsSimulator.start({ ak: AK, sk: SK, domainId: DOMAIN_ID });
    });
    after(async () => {
      await sim.stop();
    });
    beforeEach(() => {
      sim.reset();
    });

    it("accepts requests signed with the project's signer", async () => {
      expect((await send(sim.url, signed(sim.url, { path: jobPath }))).status).to.equal(200);
      expect(
        (await send(sim.url, signed(sim.url, { path: `${jobPath}?b=2&a=x%20y` }))).status,
      ).to.equal(200);
      expect(sim.stats().requests.byAuth).to.deep.equal({ aksk: 2 });
    });

    it("accepts requests signed by the vendor SDK's AKSKSigner", async () => {
      const plain = vendorSigned(sim.url, jobPath, {});
      expect(plain.headers?.Authorization).to.match(
        /^SDK-HMAC-SHA256 Access=QTWAOYTTINDUT2QVKYUC, /,
      );
      expect((await send(sim.url, plain)).status).to.equal(200);
      const withQuery = vendorSigned(sim.url, jobPath, { limit: '10', kind: 'constraint' });
      expect((await send(sim.url, withQuery)).status).to.equal(200);
    });

    it('refuses a signature made with the wrong SK', async () => {
      await expectUnauthorized(
        send(sim.url, signed(sim.url, { path: jobPath }, { accessKey: AK, secretKey: 'wrong' })),
      );
      await expectUnauthorized(send(sim.url, vendorSigned(sim.url, jobPath, {}, 'wrong')));
      expect(sim.stats().requests.rejectedByReason).to.deep.equal({ BadSignature: 2 });
    });

    it('refuses an unknown AK', async () => {
      await expectUnauthorized(
        send(
          sim.url,
          signed(sim.url, { path: jobPath }, { accessKey: 'UNKNOWNAK', secretKey: SK }),
        ),
      );
      expect(sim.stats().requests.rejectedByReason).to.deep.equal({ UnknownAccessKey: 1 });
    });

    it('refuses an X-Sdk-Date more than 15 minutes from its clock, either way', async () => {
      const now = Date.now();
      const within = signed(sim.url, { path: jobPath }, undefined, new Date(now - 14 * 60_000));
      expect((await send(sim.url, within)).status).to.equal(200);
      for (const skew of [-16 * 60_000, 16 * 60_000]) {
        await expectUnauthorized(
          send(sim.url, signed(sim.url, { path: jobPath }, undefined, new Date(now + skew))),
        );
      }
      expect(sim.stats().requests.rejectedByReason).to.deep.equal({ StaleSdkDate: 2 });
    });

    it('judges X-Sdk-Date by the simulated clock', async () => {
      sim.clock.advance(20 * 60_000);
      await expectUnauthorized(send(sim.url, signed(sim.url, { path: jobPath })));
      const matching = signed(sim.url, { path: jobPath }, undefined, new Date(sim.clock.now()));
      expect((await send(sim.url, matching)).status).to.equal(200);
    });

    it('refuses a request whose path, query, body or signed header changed after signing', async () => {
      const original = signed(sim.url, { path: `${jobPath}?a=1`, body: '{"x":1}' });
      expect((await send(sim.url, original)).status).to.equal(200);
      const otherJob = `/v1/policy/jobs/00000000-0000-4000-8000-000000000000?a=1`;
      await expectUnauthorized(send(sim.url, { ...original, path: otherJob }));
      await expectUnauthorized(send(sim.url, { ...original, path: `${jobPath}?a=2` }));
      await expectUnauthorized(send(sim.url, { ...original, body: '{"x":2}' }));
      await expectUnauthorized(
        send(sim.url, {
          ...original,
          headers: { ...original.headers, 'Content-Type': 'text/plain' },
        }),
      );
      expect(sim.stats().requests.rejectedByReason).to.deep.equal({ BadSignature: 4 });
    });

    it('refuses a malformed Authorization header and one that does not sign X-Sdk-Date', async () => {
      const good = signed(sim.url, { path: jobPath });
      const auth = good.headers?.Authorization ?? '';
      const broken = [
        'Bearer abc',
        auth.replace(/Signature=[0-9a-f]+/, 'Signature=xyz'),
        auth.replace(
          'SignedHeaders=content-type;host;x-domain-id;x-sdk-date',
          'SignedHeaders=content-type;host;x-domain-id',
        ),
      ];
      for (const value of broken) {
        await expectUnauthorized(
          send(sim.url, { ...good, headers: { ...good.headers, Authorization: value } }),
        );
      }
    });
  });

  describe('AK/SK on a global service: X-Domain-Id and GET /v3/auth/domains', () => {
    const jobPath = `/v1/policy/jobs/${SEED_ID}`;
    const noDomain = { accessKey: AK, secretKey: SK };

    it('refuses a signed call without X-Domain-Id, or with another account, as the gateway', async () => {
      const sim = await UcsSimulator.start({ ak: AK, sk: SK, token: 'tok', domainId: DOMAIN_ID });
      try {
        for (const [credentials, text] of [
          [noDomain, 'X-Domain-Id is required'],
          [{ ...noDomain, domainID: 'ffff0000' }, 'does not match'],
        ] as const) {
          const res = await send(sim.url, signed(sim.url, { path: jobPath }, credentials));
          expect(res.status).to.equal(401);
          const body = JSON.parse(res.body) as Record<string, string>;
          expect(body.error_code).to.equal('APIGW.0301');
          expect(body.error_msg).to.include(text);
          expect(body.request_id).to.equal(res.headers['x-request-id']);
        }
        expect(sim.stats().requests.rejectedByReason).to.deep.equal({
          MissingDomainId: 1,
          WrongDomainId: 1,
        });
        // A domain-scoped token carries its account: no header needed.
        expect((await getJob(sim.url, SEED_ID, { 'X-Auth-Token': 'tok' })).status).to.equal(200);
      } finally {
        await sim.stop();
      }
    });

    it("serves the caller's account to AK/SK-signed requests, shaped as KeystoneListAuthDomains", async () => {
      const sim = await UcsSimulator.start({ ak: AK, sk: SK, domainId: DOMAIN_ID });
      try {
        const res = await send(sim.url, signed(sim.url, { path: '/v3/auth/domains' }, noDomain));
        expect(res.status).to.equal(200);
        expect(JSON.parse(res.body)).to.deep.equal({
          domains: [
            {
              id: DOMAIN_ID,
              name: 'simulated-account',
              enabled: true,
              description: '',
              links: { self: `${sim.url}/v3/domains/${DOMAIN_ID}` },
            },
          ],
          links: { self: `${sim.url}/v3/auth/domains`, previous: null, next: null },
        });
        const wrong = { accessKey: AK, secretKey: 'wrong-sk' };
        const refused = await send(sim.url, signed(sim.url, { path: '/v3/auth/domains' }, wrong));
        expect(refused.status).to.equal(401);
        expect(JSON.parse(refused.body)).to.include({ error_code: 'APIGW.0301' });
        expect((await send(sim.url, { path: '/v3/auth/domains' })).status).to.equal(401);
        expect(sim.stats().requests.byApi).to.deep.equal({ iam: 3 });
      } finally {
        await sim.stop();
      }
    });

    it('uses one account for AK/SK and IAM tokens, derived from the IAM domain by default', async () => {
      const sim = await UcsSimulator.start({
        ak: AK,
        sk: SK,
        iamUser: 'u',
        iamPassword: 'p',
        iamDomain: 'acme',
      });
      try {
        const res = await send(sim.url, signed(sim.url, { path: '/v3/auth/domains' }, noDomain));
        const listed = (JSON.parse(res.body) as { domains: { id: string; name: string }[] })
          .domains[0];
        expect(listed?.name).to.equal('acme');
        expect(listed?.id).to.match(/^[0-9a-f]{32}$/);
        expect(listed?.id).to.equal(sim.account.id);
        const token = await send(sim.url, {
          method: 'POST',
          path: '/v3/auth/tokens',
          headers: { 'Content-Type': 'application/json' },
          body: JSON.stringify({
            auth: {
              identity: {
                methods: ['password'],
                password: { user: { name: 'u', password: 'p', domain: { name: 'acme' } } },
              },
              scope: { domain: { name: 'acme' } },
            },
          }),
        });
        expect(
          (JSON.parse(token.body) as { token: { domain: { id: string } } }).token.domain.id,
        ).to.equal(listed?.id);
        const ok = signed(sim.url, { path: jobPath }, { ...noDomain, domainID: listed?.id ?? '' });
        expect((await send(sim.url, ok)).status).to.equal(200);
      } finally {
        await sim.stop();
      }
    });
  });

  describe('temporary AK/SK with a security token', () => {
    it('needs the signed X-Security-Token', async () => {
      const sim = await UcsSimulator.start({
        ak: AK,
        sk: SK,
        securityToken: 'sts-token',
        domainId: DOMAIN_ID,
      });
      try {
        const path = `/v1/policy/jobs/${SEED_ID}`;
        const withToken = signed(
          sim.url,
          { path },
          { accessKey: AK, secretKey: SK, securityToken: 'sts-token', domainID: DOMAIN_ID },
        );
        expect((await send(sim.url, withToken)).status).to.equal(200);
        await expectUnauthorized(send(sim.url, signed(sim.url, { path })));
        const wrong = signed(
          sim.url,
          { path },
          { accessKey: AK, secretKey: SK, securityToken: 'other', domainID: DOMAIN_ID },
        );
        await expectUnauthorized(send(sim.url, wrong));
      } finally {
        await sim.stop();
      }
    });
  });

  describe('IAM password tokens', () => {
    let sim: UcsSimulator;
    const body = (password: string, scope = 'acme'): string =>
      JSON.stringify({
        auth: {
          identity: {
            methods: ['password'],
            password: { user: { name: 'ops', password, domain: { name: 'acme' } } },
          },
          scope: { domain: { name: scope } },
        },
      });
    const issue = (password = 's3cret', scope?: string) =>
      send(sim.url, {
        method: 'POST',
        path: '/v3/auth/tokens',
        headers: { 'Content-Type': 'application/json;charset=utf8' },
        body: body(password, scope),
      });

    before(async () => {
      sim = await UcsSimulator.start({
        iamUser: 'ops',
        iamPassword: 's3cret',
        iamDomain: 'acme',
        tokenTtlSeconds: 3600,
        token: 'fixed-token',
      });
    });
    after(async () => {
      await sim.stop();
    });
    beforeEach(() => {
      sim.reset();
    });

    it('issues a token: 201, X-Subject-Token, token.expires_at and issued_at', async () => {
      const res = await issue();
      expect(res.status).to.equal(201);
      const token = res.headers['x-subject-token'];
      expect(token).to.be.a('string').and.match(/^MII/);
      const parsed = JSON.parse(res.body) as {
        token: { expires_at: string; issued_at: string; methods: string[] };
      };
      expect(parsed.token.expires_at).to.match(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z$/);
      const lifetime = Date.parse(parsed.token.expires_at) - Date.parse(parsed.token.issued_at);
      expect(lifetime).to.equal(3600_000);
      expect(Math.abs(Date.parse(parsed.token.issued_at) - Date.now())).to.be.below(5000);
      expect(parsed.token.methods).to.deep.equal(['password']);
      expect(sim.stats().tokens).to.deep.equal({ issued: 1, valid: 1 });
    });

    it('also scopes to the domain by the id it reports', async () => {
      const first = JSON.parse((await issue()).body) as { token: { domain: { id: string } } };
      const byId = await send(sim.url, {
        method: 'POST',
        path: '/v3/auth/tokens?nocatalog=true',
        body: JSON.stringify({
          auth: {
            identity: {
              methods: ['password'],
              password: { user: { name: 'ops', password: 's3cret', domain: { name: 'acme' } } },
            },
            scope: { domain: { id: first.token.domain.id } },
          },
        }),
      });
      expect(byId.status).to.equal(201);
    });

    it('accepts an issued token next to the fixed one', async () => {
      const token = (await issue()).headers['x-subject-token'] as string;
      expect((await getJob(sim.url, SEED_ID, { 'X-Auth-Token': token })).status).to.equal(200);
      expect((await getJob(sim.url, SEED_ID, { 'X-Auth-Token': 'fixed-token' })).status).to.equal(
        200,
      );
      expect(sim.stats().requests.byAuth).to.deep.equal({ iam: 1, token: 1 });
    });

    it('refuses a wrong password (401, IAM error body) and a token not scoped to the domain', async () => {
      const wrong = await issue('guess');
      expect(wrong.status).to.equal(401);
      expect(wrong.headers['x-subject-token']).to.equal(undefined);
      expect(JSON.parse(wrong.body)).to.deep.equal({
        error: { code: 401, message: 'The username or password is wrong.', title: 'Unauthorized' },
      });
      expect((await issue('s3cret', 'other-domain')).status).to.equal(400);
      const garbage = await send(sim.url, {
        method: 'POST',
        path: '/v3/auth/tokens',
        body: 'not json',
      });
      expect(garbage.status).to.equal(400);
    });

    it('refuses a token after it expires (simulated clock)', async () => {
      const token = (await issue()).headers['x-subject-token'] as string;
      sim.clock.advance(3599_000);
      expect((await getJob(sim.url, SEED_ID, { 'X-Auth-Token': token })).status).to.equal(200);
      sim.clock.advance(1000);
      await expectUnauthorized(getJob(sim.url, SEED_ID, { 'X-Auth-Token': token }));
      expect(sim.stats().requests.rejectedByReason).to.deep.equal({ ExpiredToken: 1 });
      const fresh = (await issue()).headers['x-subject-token'] as string;
      expect((await getJob(sim.url, SEED_ID, { 'X-Auth-Token': fresh })).status).to.equal(200);
    });

    it('refuses a token after it expires (real time, short lifetime)', async () => {
      const short = await UcsSimulator.start({
        iamUser: 'ops',
        iamPassword: 's3cret',
        iamDomain: 'acme',
        tokenTtlSeconds: 0.2,
      });
      try {
        const res = await send(short.url, {
          method: 'POST',
          path: '/v3/auth/tokens',
          body: body('s3cret'),
        });
        const token = res.headers['x-subject-token'] as string;
        expect((await getJob(short.url, SEED_ID, { 'X-Auth-Token': token })).status).to.equal(200);
        await sleep(250);
        await expectUnauthorized(getJob(short.url, SEED_ID, { 'X-Auth-Token': token }));
      } finally {
        await short.stop();
      }
    });

    it('refuses revoked tokens: one by name, or all issued ones', async () => {
      const first = (await issue()).headers['x-subject-token'] as string;
      const second = (await issue()).headers['x-subject-token'] as string;
      expect(sim.revokeTokens(first)).to.equal(1);
      await expectUnauthorized(getJob(sim.url, SEED_ID, { 'X-Auth-Token': first }));
      expect((await getJob(sim.url, SEED_ID, { 'X-Auth-Token': second })).status).to.equal(200);
      expect((await admin(sim.url, 'POST', 'tokens/revoke', {})).json).to.deep.equal({
        revoked: 1,
      });
      await expectUnauthorized(getJob(sim.url, SEED_ID, { 'X-Auth-Token': second }));
      expect(sim.stats().requests.rejectedByReason).to.deep.equal({ RevokedToken: 2 });
    });

    it('does not accept a token another simulator issued', async () => {
      const other = await UcsSimulator.start({
        iamUser: 'ops',
        iamPassword: 's3cret',
        iamDomain: 'acme',
      });
      try {
        const res = await send(other.url, {
          method: 'POST',
          path: '/v3/auth/tokens',
          body: body('s3cret'),
        });
        const foreign = res.headers['x-subject-token'] as string;
        await expectUnauthorized(getJob(sim.url, SEED_ID, { 'X-Auth-Token': foreign }));
      } finally {
        await other.stop();
      }
    });
  });

  describe('several methods at once', () => {
    it('accepts each configured method and counts them apart', async () => {
      const sim = await UcsSimulator.start({
        token: 't',
        ak: AK,
        sk: SK,
        iamUser: 'u',
        iamPassword: 'p',
        iamDomain: 'd',
        domainId: DOMAIN_ID,
      });
      try {
        const path = `/v1/policy/jobs/${SEED_ID}`;
        expect((await getJob(sim.url, SEED_ID, { 'X-Auth-Token': 't' })).status).to.equal(200);
        expect((await send(sim.url, signed(sim.url, { path }))).status).to.equal(200);
        await expectUnauthorized(getJob(sim.url, SEED_ID));
        expect(sim.stats().requests.byAuth).to.deep.equal({ token: 1, aksk: 1, rejected: 1 });
      } finally {
        await sim.stop();
      }
    });

    it('refuses half-configured AK/SK or IAM at start', async () => {
      let error: unknown;
      try {
        await UcsSimulator.start({ ak: AK });
      } catch (err) {
        error = err;
      }
      expect(String(error)).to.include('needs both ak and sk');
      error = undefined;
      try {
        await UcsSimulator.start({ iamUser: 'u', iamPassword: 'p' });
      } catch (err) {
        error = err;
      }
      expect(String(error)).to.include('iamDomain');
    });
  });
});
