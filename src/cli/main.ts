#!/usr/bin/env node
import { Command } from 'commander';
import { VERSION } from '../version.js';
import { controlPlaneCommand } from './control-plane-command.js';
import { demoCommand } from './demo-command.js';
import { runCommand } from './run-command.js';
import { ucsSimCommand } from './ucs-sim-command.js';

const program = new Command('policyjobwatch')
  .description(
    'Kubernetes operator that mirrors Huawei Cloud UCS policy jobs into PolicyJobWatch resources',
  )
  .version(VERSION)
  .showHelpAfterError();

program.addCommand(runCommand());
program.addCommand(controlPlaneCommand());
program.addCommand(ucsSimCommand());
program.addCommand(demoCommand());

await program.parseAsync(process.argv);
