/**
 * The layers of src/, enforced by `npm run lint` (dependency-cruiser). Each folder's index.ts
 * or README.md says what it owns; this file says what it may import.
 *
 *   api/            the resource's types, validation and CRD schema   imports nothing of ours
 *   ucs/            the UCS client (no Kubernetes)                      api/
 *   controller/     the pure status logic and the loop, behind ports    api/, ucs/
 *   kube/           Kubernetes adapters implementing the ports          api/, ucs/, controller/
 *   runtime/        the composition root: config, wiring, probes        everything above
 *   cli/            the production CLI                                  everything above but kube/
 *   ucs-sim/, control-plane/, demo/, dev-cli/: development tools, never imported by the above
 */
const DEV_TOOLS = '^src/(ucs-sim|control-plane|demo|dev-cli)/';

module.exports = {
  forbidden: [
    { name: 'no-circular', severity: 'error', from: {}, to: { circular: true } },
    {
      name: 'api-imports-nothing-of-ours',
      severity: 'error',
      from: { path: '^src/api/' },
      to: { path: '^src/', pathNot: '^src/api/' },
    },
    {
      name: 'ucs-imports-only-api',
      severity: 'error',
      from: { path: '^src/ucs/' },
      to: { path: '^src/', pathNot: ['^src/(ucs|api)/', '^src/version\\.ts$'] },
    },
    {
      name: 'controller-imports-only-api-and-ucs',
      severity: 'error',
      from: { path: '^src/controller/' },
      to: { path: '^src/', pathNot: '^src/(controller|api|ucs)/' },
    },
    {
      name: 'kube-adapters-import-no-wiring',
      severity: 'error',
      from: { path: '^src/kube/' },
      to: { path: '^src/', pathNot: '^src/(kube|controller|api|ucs)/' },
    },
    {
      name: 'only-the-composition-root-wires',
      comment: 'Adapters are put together in runtime/ (and by the dev tools that run an operator)',
      severity: 'error',
      from: { path: '^src/', pathNot: ['^src/(kube|runtime)/', DEV_TOOLS] },
      to: { path: '^src/kube/' },
    },
    {
      name: 'production-code-imports-no-dev-tools',
      severity: 'error',
      from: { path: '^src/', pathNot: DEV_TOOLS },
      to: { path: DEV_TOOLS },
    },
    {
      name: 'control-plane-imports-nothing-of-ours',
      severity: 'error',
      from: { path: '^src/control-plane/' },
      to: { path: '^src/', pathNot: '^src/control-plane/' },
    },
    {
      name: 'src-imports-no-tests-or-bench',
      severity: 'error',
      from: { path: '^src/' },
      to: { path: '^(test|bench)/' },
    },
    {
      name: 'bench-imports-no-tests',
      severity: 'error',
      from: { path: '^bench/' },
      to: { path: '^test/' },
    },
  ],
  options: {
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    doNotFollow: { path: 'node_modules' },
    exclude: { path: '^(node_modules|dist|coverage)/' },
  },
};
