import { expect } from 'chai';
import { GlobalCredentials } from '@huaweicloud/huaweicloud-sdk-core/auth/GlobalCredentials.js';
import { HcClient } from '@huaweicloud/huaweicloud-sdk-core/HcClient.js';
import { DefaultHttpClient } from '@huaweicloud/huaweicloud-sdk-core/http/DefaultHttpClient.js';
import { Region } from '@huaweicloud/huaweicloud-sdk-core/region/region.js';
import { SEED_JOB_ID, UcsSimulator } from '../../../src/ucs-sim/index.js';

// The vendor SDK is the reference for how AK/SK reaches a global service: its UCS client uses
// GlobalCredentials, which finds the account ID at IAM (GET /v3/auth/domains) when none is
// configured and sends it in X-Domain-Id. The simulator must accept exactly that.

/** The SDK's own client, as its generated UcsClient builds it (cn-north-4, one endpoint). */
function sdkClient(url: string, credentials: GlobalCredentials): HcClient {
  const endpoints = [url];
  // The SDK logs every error answer to the console; the test reads them itself.
  const quiet = { debug: noop, info: noop, warn: noop, error: noop };
  const options = { logger: quiet } as unknown as ConstructorParameters<
    typeof DefaultHttpClient
  >[0];
  return new HcClient(new DefaultHttpClient(options, endpoints), options)
    .withCredential(credentials)
    .withEndpoints(endpoints)
    .withRegion(new Region('cn-north-4', endpoints));
}

function noop(): void {
  // silent
}

async function showPolicyJob(client: HcClient, jobID: string): Promise<Record<string, unknown>> {
  // What the SDK's UcsClient.showPolicyJob sends.
  const answer: unknown = await client.sendRequest({
    method: 'GET',
    url: '/v1/policy/jobs/{jobid}',
    contentType: 'application/json',
    queryParams: {},
    pathParams: { jobid: jobID },
    headers: {},
    data: {},
  });
  return answer as Record<string, unknown>;
}

describe("ucs-sim: agreement with the vendor SDK's GlobalCredentials", function () {
  this.timeout(20_000);

  it('the SDK finds the account ID at the simulated IAM and its signed UCS call is accepted', async () => {
    // The SDK caches account IDs process-wide by AK: a key of its own for this test.
    const ak = `AKGLOBAL${Date.now()}`;
    const sim = await UcsSimulator.start({ ak, sk: 'sk-global-credentials', domainId: 'acc0ffee' });
    try {
      const credentials = new GlobalCredentials()
        .withAk(ak)
        .withSk('sk-global-credentials')
        .withIamEndpoint(sim.url);
      const answer = await showPolicyJob(sdkClient(sim.url, credentials), SEED_JOB_ID);
      expect(answer.httpStatusCode).to.equal(200);
      expect((answer.metadata as { uid?: string } | undefined)?.uid).to.equal(SEED_JOB_ID);
      expect(credentials.getPathParams()).to.deep.equal({ domain_id: 'acc0ffee' });
      const stats = sim.stats().requests;
      expect(stats.byApi).to.deep.equal({ iam: 1, ucs: 1 });
      expect(stats.byAuth).to.deep.equal({ aksk: 2 });
      expect(stats.rejectedByReason).to.deep.equal({});
    } finally {
      await sim.stop();
    }
  });

  it('refuses the SDK when it is given another account ID (the check is not vacuous)', async () => {
    const ak = `AKGLOBALWRONG${Date.now()}`;
    const sim = await UcsSimulator.start({ ak, sk: 'sk-2', domainId: 'acc0ffee' });
    try {
      const credentials = new GlobalCredentials()
        .withAk(ak)
        .withSk('sk-2')
        .withDomainId('not-my-account')
        .withIamEndpoint(sim.url);
      let refusal: { httpStatusCode?: unknown; errorCode?: unknown } | undefined;
      try {
        await showPolicyJob(sdkClient(sim.url, credentials), SEED_JOB_ID);
      } catch (err) {
        refusal = err as typeof refusal;
      }
      expect(refusal?.httpStatusCode).to.equal(401);
      expect(refusal?.errorCode).to.equal('APIGW.0301');
      expect(sim.stats().requests.rejectedByReason).to.deep.equal({ WrongDomainId: 1 });
      expect(sim.stats().requests.byApi).to.deep.equal({ ucs: 1 });
    } finally {
      await sim.stop();
    }
  });
});
