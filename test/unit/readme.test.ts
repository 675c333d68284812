import { expect } from 'chai';
import { readFile } from 'node:fs/promises';
import { jobsCommand } from '../../src/cli/jobs-command.js';
import { runCommand } from '../../src/cli/run-command.js';

describe('README', () => {
  it('documents every flag of `policyjobwatch run` with its environment variable', async () => {
    const readme = await readFile('README.md', 'utf8');
    const options = runCommand().options.filter((o) => o.long !== '--help');
    expect(options.length).to.be.greaterThan(10);
    for (const option of options) {
      expect(readme, `${String(option.long)} in README.md`).to.include(
        `\`${String(option.long)}\``,
      );
      if (option.envVar)
        expect(readme, `${option.envVar} in README.md`).to.include(`\`${option.envVar}\``);
    }
  });

  it('documents every flag of `policyjobwatch jobs list|get` with its environment variable', async () => {
    const readme = await readFile('README.md', 'utf8');
    for (const command of jobsCommand().commands) {
      const options = command.options.filter((o) => o.long !== '--help');
      expect(options.length).to.be.greaterThan(5);
      for (const option of options) {
        expect(readme, `${String(option.long)} in README.md`).to.include(
          `\`${String(option.long)}\``,
        );
        if (option.envVar)
          expect(readme, `${option.envVar} in README.md`).to.include(`\`${option.envVar}\``);
      }
    }
  });
});
