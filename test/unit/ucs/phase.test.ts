import { expect } from 'chai';
import { jobOutcome } from '../../../src/ucs/index.js';

describe('ucs job phase', () => {
  const table: [string | undefined, string][] = [
    ['Succeeded', 'Succeeded'],
    ['Failed', 'Failed'],
    ['TimedOut', 'TimedOut'],
    ['Running', 'Running'],
    ['', 'Running'],
    [undefined, 'Running'],
    // Undocumented words are not claimed finished.
    ['Pending', 'Running'],
    ['Initializing', 'Running'],
    ['Success', 'Running'],
    ['Failure', 'Running'],
    ['Timeout', 'Running'],
    // Case and blanks do not matter (documented in phase.ts).
    ['succeeded', 'Succeeded'],
    ['FAILED', 'Failed'],
    [' timedout ', 'TimedOut'],
  ];
  for (const [raw, outcome] of table) {
    it(`${raw === undefined ? 'undefined' : JSON.stringify(raw)} is ${outcome}`, () => {
      expect(jobOutcome(raw)).to.equal(outcome);
    });
  }
});
