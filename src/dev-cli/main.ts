#!/usr/bin/env node
// The development CLI: the demo, the UCS simulator and the local control plane. Not shipped in
// the image or the npm package (package.json `files`); run it with `npm run demo`,
// `npm run ucs-sim`, `npm run control-plane:up` or `npm run dev -- <command>`.
import { Command } from 'commander';
import { VERSION } from '../version.js';
import { controlPlaneCommand } from './control-plane-command.js';
import { demoCommand } from './demo-command.js';
import { ucsSimCommand } from './ucs-sim-command.js';

const program = new Command('policyjobwatch-dev')
  .description(
    'PolicyJobWatch development tools: a live demo, the UCS simulator and a local control plane',
  )
  .version(VERSION)
  .showHelpAfterError();

program.addCommand(demoCommand());
program.addCommand(ucsSimCommand());
program.addCommand(controlPlaneCommand());

await program.parseAsync(process.argv);
