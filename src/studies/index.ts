// Studies over runs: the paper's insights on one run (analyze), the privacy-utility table (bench), the demo.
export * from './analyze.ts';
export * from './bench.ts';
export type { BaseParams } from './bench-params.ts';
export * from './demo.ts';
