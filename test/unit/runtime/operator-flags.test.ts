import { expect } from 'chai';
import {
  ConfigError,
  defaultOptionValues,
  parseOperatorConfig,
} from '../../../src/runtime/config.js';

const parse = (overrides: Record<string, string>) =>
  parseOperatorConfig({ ...defaultOptionValues(), ...overrides });

describe('operator configuration', () => {
  it('has sane defaults', () => {
    const config = parse({});
    expect(config.ucsEndpoint).to.equal('https://ucs.myhuaweicloud.com');
    expect(config.allowedEndpoints).to.deep.equal(['https://ucs.myhuaweicloud.com']);
    expect(config.credentialsSecret).to.deep.equal({
      namespace: 'policyjobwatch-system',
      name: 'ucs-credentials',
    });
    expect(config.pollInterval).to.equal(30_000);
    expect(config.maxConcurrentReconciles).to.equal(4);
    expect(config.ucsTimeout).to.equal(10_000);
    expect(config.maxTasksPerJob).to.equal(100);
    expect(config.logFormat).to.equal('json');
  });

  it('always allows the default endpoint and normalises the list', () => {
    const config = parse({
      allowedEndpoints: 'https://ucs-intl.myhuaweicloud.com/, https://ucs.myhuaweicloud.com',
    });
    expect(config.allowedEndpoints).to.deep.equal([
      'https://ucs.myhuaweicloud.com',
      'https://ucs-intl.myhuaweicloud.com',
    ]);
  });

  const refused: [Record<string, string>, string][] = [
    [
      { pollInterval: '1s' },
      '--poll-interval (POLICYJOBWATCH_POLL_INTERVAL): must be between 5s and 1h',
    ],
    [
      { pollInterval: 'soon' },
      '--poll-interval (POLICYJOBWATCH_POLL_INTERVAL): "soon" is not a duration',
    ],
    [
      { ucsEndpoint: 'http://ucs.myhuaweicloud.com' },
      '--ucs-endpoint (POLICYJOBWATCH_UCS_ENDPOINT): endpoint http://ucs.myhuaweicloud.com uses http',
    ],
    [
      { credentialsSecret: 'just-a-name' },
      '--credentials-secret (POLICYJOBWATCH_CREDENTIALS_SECRET): must be namespace/name',
    ],
    [{ maxConcurrentReconciles: '0' }, '--max-concurrent-reconciles'],
    [{ maxTasksPerJob: '5000' }, '--max-tasks-per-job'],
    [{ logFormat: 'xml' }, '--log-format'],
    [
      { caFile: '/no/such/file.pem' },
      '--ca-file (POLICYJOBWATCH_CA_FILE): cannot read /no/such/file.pem',
    ],
  ];
  for (const [overrides, message] of refused) {
    it(`refuses ${JSON.stringify(overrides)}, naming the flag`, () => {
      expect(() => parse(overrides)).to.throw(ConfigError, message);
    });
  }
});
