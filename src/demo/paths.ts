import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { CRD_FILE } from '../api/index.js';

/** The package root: two levels above this file, both in src/demo and in dist/demo. */
const PACKAGE_ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..');

/** Files the demo plays, shipped beside the code. */
export const DEMO_FILES = {
  crd: join(PACKAGE_ROOT, CRD_FILE),
  scenario: join(PACKAGE_ROOT, 'examples', 'ucs-sim', 'scenario.yaml'),
  resources: join(PACKAGE_ROOT, 'examples', 'policyjobwatches'),
} as const;
