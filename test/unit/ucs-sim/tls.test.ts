import { expect } from 'chai';
import { generateControlPlaneCerts } from '../../../src/control-plane/certs.js';
import { UcsSimulator } from '../../../src/ucs-sim/index.js';
import { send, SEED_ID } from './sim-http.js';

describe('ucs-sim: TLS', () => {
  it('serves HTTPS with the certificate given, trusted through its CA', async () => {
    // The local control plane's PKI has a serving certificate for 127.0.0.1: reuse it.
    const certs = await generateControlPlaneCerts();
    const sim = await UcsSimulator.start({ tls: certs.serving });
    try {
      expect(sim.url).to.match(/^https:\/\/127\.0\.0\.1:\d+$/);
      const res = await send(sim.url, { path: `/v1/policy/jobs/${SEED_ID}`, ca: certs.ca.cert });
      expect(res.status).to.equal(200);
      let error: unknown;
      try {
        await send(sim.url, { path: `/v1/policy/jobs/${SEED_ID}` });
      } catch (err) {
        error = err;
      }
      expect(String(error)).to.match(/certificate/i);
    } finally {
      await sim.stop();
    }
  });
});
