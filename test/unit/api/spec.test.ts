import { expect } from 'chai';
import {
  parsePolicyJobWatchSpec,
  PolicyJobWatchSpecSchema,
  type PolicyJobWatchSpec,
} from '../../../src/api/index.js';
import { SPEC_CASES } from './spec-cases.js';

describe('api: parsePolicyJobWatchSpec', () => {
  for (const { name, spec, invalid } of SPEC_CASES) {
    it(`${invalid ? 'refuses' : 'accepts'} ${name}`, () => {
      const result = parsePolicyJobWatchSpec(spec);
      if (invalid) {
        expect(result.ok, JSON.stringify(result)).to.equal(false);
        if (!result.ok) expect(result.message).to.include(invalid.zod);
      } else {
        expect(result, JSON.stringify(result)).to.deep.equal({ ok: true, spec });
      }
    });
  }

  it('refuses what is not an object, without throwing', () => {
    for (const value of [undefined, null, 'jobIDs', 42, []]) {
      const result = parsePolicyJobWatchSpec(value);
      expect(result.ok).to.equal(false);
      if (!result.ok) expect(result.message).to.match(/^spec: Invalid input: expected object/);
    }
  });

  it('drops unknown fields, as the API server prunes them', () => {
    const result = parsePolicyJobWatchSpec({ jobIDs: ['a'], color: 'blue' });
    expect(result).to.deep.equal({ ok: true, spec: { jobIDs: ['a'] } });
  });

  it('lists every problem in one line, and caps the list', () => {
    const result = parsePolicyJobWatchSpec({ jobIDs: ['..'], pollInterval: '1s', suspend: 1 });
    expect(result.ok).to.equal(false);
    if (result.ok) return;
    expect(result.message.split('; ')).to.have.length(3);
    expect(result.message).to.include("spec.jobIDs[0]: a job ID must not be '.' or '..'");
    expect(result.message).to.include('spec.pollInterval must be between 5s and 1h');
    expect(result.message).to.include('spec.suspend: Invalid input');

    const many = parsePolicyJobWatchSpec({ jobIDs: Array.from({ length: 30 }, () => '/') });
    expect(many.ok).to.equal(false);
    if (!many.ok) expect(many.message).to.match(/; and \d+ more$/);
  });

  it('types the spec with optional fields', () => {
    const spec: PolicyJobWatchSpec = PolicyJobWatchSpecSchema.parse({ jobIDs: ['a'] });
    expect(spec.pollInterval).to.equal(undefined);
    expect(spec.suspend ?? false).to.equal(false);
  });
});
