'use strict';
// Mocha's spec reporter, followed by one closing line counted from mocha's own stats:
// "N passed, N failed, N skipped". CI reads that line; it must be the last one printed.
const Mocha = require('mocha');
const { Spec } = Mocha.reporters;
const { EVENT_RUN_END } = Mocha.Runner.constants;

class TallyReporter extends Spec {
  constructor(runner, options) {
    super(runner, options);
    runner.once(EVENT_RUN_END, () => {
      const { passes, failures, pending } = runner.stats;
      // Spec registered its epilogue on this event first, so this line comes after it.
      process.stdout.write(`\n${passes} passed, ${failures} failed, ${pending} skipped\n`);
    });
  }
}

module.exports = TallyReporter;
