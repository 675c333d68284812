import { expect } from 'chai';
import { isFinished, jobOutcome, jobPhase } from '../../../src/ucs/index.js';

describe('ucs job phase', () => {
  const table: [string | undefined, string, string][] = [
    ['Succeeded', 'Succeeded', 'Succeeded'],
    ['Failed', 'Failed', 'Failed'],
    ['TimedOut', 'TimedOut', 'Failed'],
    ['Running', 'Running', 'Running'],
    ['', 'Running', 'Running'],
    [undefined, 'Running', 'Running'],
    // Undocumented words are not claimed finished.
    ['Pending', 'Running', 'Running'],
    ['Initializing', 'Running', 'Running'],
    ['Success', 'Running', 'Running'],
    ['Failure', 'Running', 'Running'],
    ['Timeout', 'Running', 'Running'],
    // Case and blanks do not matter (documented in phase.ts).
    ['succeeded', 'Succeeded', 'Succeeded'],
    ['FAILED', 'Failed', 'Failed'],
    [' timedout ', 'TimedOut', 'Failed'],
  ];
  for (const [raw, outcome, phase] of table) {
    it(`${raw === undefined ? 'undefined' : JSON.stringify(raw)} is ${outcome} (${phase})`, () => {
      expect(jobOutcome(raw)).to.equal(outcome);
      expect(jobPhase(raw)).to.equal(phase);
      expect(isFinished(jobOutcome(raw))).to.equal(outcome !== 'Running');
    });
  }
});
