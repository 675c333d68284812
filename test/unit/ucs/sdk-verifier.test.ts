import { expect } from 'chai';
import { AKSKSigner } from '@huaweicloud/huaweicloud-sdk-core/auth/AKSKSigner.js';
import type { ICredential } from '@huaweicloud/huaweicloud-sdk-core/auth/ICredential.js';
import { UcsTransport, type UcsCredentials } from '../../../src/ucs/index.js';
import {
  SEED_BODY,
  reply,
  startServer,
  type LocalServer,
  type RecordedRequest,
} from './local-servers.js';

const AK = 'AKVERIFIER0001';
const SK = 'sk-verifier-secret';
const DOMAIN = '0a1b2c3d4e5f60718293a4b5c6d7e8f9';

/**
 * A gateway check built on the vendor SDK's signer: the request as received is handed to
 * AKSKSigner.sign with the headers the client says it signed (its own X-Sdk-Date among them),
 * and the Authorization the vendor computes must be the one that came.
 */
function vendorAccepts(req: RecordedRequest, secretKey: string): boolean {
  const authorization = req.headers.authorization ?? '';
  const signedNames = /SignedHeaders=([^,\s]+)/.exec(authorization)?.[1]?.split(';') ?? [];
  const headers: Record<string, string> = {};
  for (const name of signedNames) {
    const value = req.headers[name];
    if (typeof value !== 'string') return false;
    headers[name === 'x-sdk-date' ? 'X-Sdk-Date' : name] = value;
  }
  const url = new URL(req.url, `http://${String(req.headers.host)}`);
  const queryParams: Record<string, string> = Object.fromEntries(url.searchParams);
  const credential: ICredential = {
    getAk: () => AK,
    getSk: () => secretKey,
    processAuthRequest: () => Promise.reject(new Error('unused')),
    processAuthParams: () => Promise.reject(new Error('unused')),
  };
  const request = {
    method: req.method,
    endpoint: `http://${String(req.headers.host)}${url.pathname}`,
    queryParams,
    headers,
  };
  const signed = AKSKSigner.sign(request, credential) as Record<string, string>;
  return signed.Authorization === authorization;
}

describe("ucs client: its AK/SK requests pass a verifier built on the vendor SDK's signer", () => {
  let server: LocalServer | undefined;
  let transport: UcsTransport | undefined;

  afterEach(async () => {
    transport?.close();
    await server?.close();
  });

  async function run(credentials: UcsCredentials, verifierKey: string): Promise<string[]> {
    const verdicts: string[] = [];
    server = await startServer((req, res) => {
      const accepted = vendorAccepts(req, verifierKey);
      verdicts.push(`${req.url.split('?')[0] ?? ''} ${accepted ? 'accepted' : 'refused'}`);
      if (!accepted) {
        reply(res, 401, {
          error_code: 'APIGW.0301',
          error_msg: 'Incorrect IAM authentication information',
        });
      } else if (req.url === '/v3/auth/domains') {
        reply(res, 200, { domains: [{ id: DOMAIN, name: 'acme', enabled: true }], links: {} });
      } else {
        reply(res, req.headers['x-domain-id'] === DOMAIN ? 200 : 401, SEED_BODY);
      }
    });
    transport = new UcsTransport({ qps: Infinity });
    const client = transport.client(server.url, {
      ...credentials,
      iamEndpoint: server.url,
    } as UcsCredentials);
    for (const id of ['c7678551-1f7e-4699-9ea1-3baa2d32f552', 'job_2.x-y~z'])
      await client.getJob(id);
    return verdicts;
  }

  it('the account ID lookup and the UCS calls, with and without a security token', async () => {
    for (const extra of [{}, { securityToken: 'sts-verifier-token' }]) {
      const verdicts = await run({ kind: 'aksk', accessKey: AK, secretKey: SK, ...extra }, SK);
      expect(verdicts).to.deep.equal([
        '/v3/auth/domains accepted',
        '/v1/policy/jobs/c7678551-1f7e-4699-9ea1-3baa2d32f552 accepted',
        '/v1/policy/jobs/job_2.x-y~z accepted',
      ]);
      const ucs = server?.requests.filter((r) => r.url.startsWith('/v1/')) ?? [];
      for (const r of ucs) expect(r.headers['x-domain-id']).to.equal(DOMAIN);
      transport?.close();
      await server?.close();
      server = undefined;
    }
  });

  it('refuses a request signed with another secret key (the verifier is not vacuous)', async () => {
    const verdicts = await run({ kind: 'aksk', accessKey: AK, secretKey: 'other-sk' }, SK);
    expect(verdicts[0]).to.equal('/v3/auth/domains refused');
  });
});
