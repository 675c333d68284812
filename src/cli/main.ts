#!/usr/bin/env node
// The production CLI: what the image and `npm install policyjobwatch` ship. The development
// tools (demo, UCS simulator, local control plane) live in src/dev-cli, one `npm run` away.
import { Command } from 'commander';
import { VERSION } from '../version.js';
import { sizeHeap } from './heap-flags.js';
import { jobsCommand } from './jobs-command.js';
import { runCommand } from './run-command.js';

// Before anything else runs: `run` without heap flags re-executes itself with them.
sizeHeap();

const program = new Command('policyjobwatch')
  .description(
    'Kubernetes operator that mirrors Huawei Cloud UCS policy jobs into PolicyJobWatch resources',
  )
  .version(VERSION)
  .showHelpAfterError();

program.addCommand(runCommand());
program.addCommand(jobsCommand());

await program.parseAsync(process.argv);
