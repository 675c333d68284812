import { expect } from 'chai';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FederatedAuth } from '../../../src/ucs/auth/federated-auth.js';
import type { HttpRequestSpec, HttpSender } from '../../../src/ucs/http/http-sender.js';
import type { HttpAnswer } from '../../../src/ucs/errors.js';

const LIFETIME_MS = 1000_000;

/** IAM's two federation calls, answered from a script; every request is recorded. */
class FakeIam {
  readonly sent: HttpRequestSpec[] = [];
  refuse = false;
  constructor(private readonly now: () => number) {}

  readonly sender = {
    send: (spec: HttpRequestSpec): Promise<{ ok: true; answer: HttpAnswer }> => {
      this.sent.push(spec);
      return Promise.resolve({ ok: true, answer: this.answer(spec) });
    },
  } as unknown as HttpSender;

  exchanges(): string[] {
    return this.sent
      .filter((s) => s.path.includes('OS-FEDERATION'))
      .map((s) => s.headers.Authorization ?? '');
  }

  private answer(spec: HttpRequestSpec): HttpAnswer {
    if (spec.path.includes('OS-FEDERATION')) {
      if (this.refuse) {
        return {
          status: 401,
          headers: {},
          body: JSON.stringify({ error: { code: 401, message: 'The ID token is invalid.' } }),
        };
      }
      return { status: 201, headers: { 'x-subject-token': 'unscoped-1' }, body: '{}' };
    }
    return {
      status: 201,
      headers: {},
      body: JSON.stringify({
        credential: {
          access: 'TEMPACCESSKEY0000001',
          secret: 'temporary-secret-key',
          securitytoken: 'security-token',
          expires_at: new Date(this.now() + LIFETIME_MS).toISOString(),
        },
      }),
    };
  }
}

describe('FederatedAuth (workload identity)', () => {
  let dir: string;
  let tokenFile: string;
  let clock: number;
  const now = (): number => clock;
  let iam: FakeIam;
  let auth: FederatedAuth;

  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'pjw-federated-'));
    tokenFile = join(dir, 'token');
    clock = Date.parse('2026-01-01T00:00:00Z');
    iam = new FakeIam(now);
    auth = new FederatedAuth(
      { kind: 'federated', idpId: 'idp', domainID: 'domain-1', iamEndpoint: 'https://iam.test' },
      tokenFile,
      iam.sender,
      now,
    );
  });

  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('reads the token file again at each exchange (kubelet rotation)', async () => {
    await writeFile(tokenFile, 'token-one\n');
    expect((await auth.prepare()).ok).to.equal(true);
    await writeFile(tokenFile, 'token-two');
    clock += LIFETIME_MS; // the temporary keys are due for renewal
    expect((await auth.prepare()).ok).to.equal(true);
    expect(iam.exchanges()).to.deep.equal(['Bearer token-one', 'Bearer token-two']);
  });

  it('renews the temporary keys before they expire, not on every call', async () => {
    await writeFile(tokenFile, 'token-one');
    const issuedAt = clock;
    expect((await auth.prepare()).ok).to.equal(true);
    clock = issuedAt + LIFETIME_MS * 0.85;
    expect((await auth.prepare()).ok).to.equal(true);
    expect(iam.exchanges()).to.have.length(1);
    // Within the margin (10% of the lifetime), still before the keys expire: renewed.
    clock = issuedAt + LIFETIME_MS * 0.95;
    expect((await auth.prepare()).ok).to.equal(true);
    expect(iam.exchanges()).to.have.length(2);
  });

  it('backs off a refused token, but tries a rotated token at once', async () => {
    iam.refuse = true;
    await writeFile(tokenFile, 'refused-token');
    const first = await auth.prepare();
    expect(first.ok).to.equal(false);
    if (!first.ok) {
      expect(first.error.reason).to.equal('CredentialsInvalid');
      expect(first.error.message).to.not.include('refused-token');
    }
    // The same token again: remembered, IAM is not asked.
    const again = await auth.prepare();
    expect(again.ok).to.equal(false);
    expect(iam.exchanges()).to.have.length(1);
    // The kubelet rotated the token: a new login, at once, without waiting for the backoff.
    iam.refuse = false;
    await writeFile(tokenFile, 'rotated-token');
    expect((await auth.prepare()).ok).to.equal(true);
    expect(iam.exchanges()).to.deep.equal(['Bearer refused-token', 'Bearer rotated-token']);
  });

  it('says which file it cannot read, without asking IAM', async () => {
    const result = await auth.prepare();
    expect(result.ok).to.equal(false);
    if (!result.ok) {
      expect(result.error.reason).to.equal('CredentialsInvalid');
      expect(result.error.message).to.include(tokenFile);
    }
    expect(iam.sent).to.have.length(0);
  });
});
