// `policyjobwatch-dev demo`: the whole product on one machine, for newcomers. See runDemo.
export { INTERRUPTED_EXIT_CODE, runDemo, type DemoOptions } from './run-demo.js';
