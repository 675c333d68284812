/**
 * Builds every Go tool of the tests into the cache (`.ci/run` does it before the tests, so that
 * a cold build, helm's takes minutes, never runs inside a test's timeout).
 */
import { goTool, type GoTool } from './go-tools.js';

const TOOLS: GoTool[] = ['argocd-health', 'kstatus', 'helm'];

for (const tool of TOOLS) process.stdout.write(`${tool}: ${await goTool(tool)}\n`);
