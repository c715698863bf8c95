import { test } from 'node:test';
import assert from 'node:assert/strict';
import { jobId, jobProblem, type QueueJob } from './job.ts';

const job: QueueJob = {
  format: 'cwrf-reference-job/1',
  cwrf: '0.1.0',
  dataset: { name: 'location', sha256: '927203f85a868f8ee17a0ded1dc61699efe602167beabe34fbf45b4b1de94b33' },
  spec: {
    recipe: {
      dataset: 'location',
      split: { seed: 0, populationSize: 400 },
      model: { arch: 'mlp', hidden: [16], activation: 'tanh' },
      optimizer: { name: 'adam', lr: 0.001 },
      schedule: { name: 'constant' },
      objective: { name: 'ce' },
      epochs: 2,
      batchSize: 128,
      seed: 7,
      memberSeed: 7,
      defenses: [{ method: 'cwrf', ratio: 0.01, objective: { name: 'ce' }, scores: ['tfo'] }],
    },
    members: 'AAAA',
    population: 20,
    threads: 1,
  },
};
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- tests poke at arbitrary fields
type Loose = any;
const edit = (f: (j: Loose) => void) => {
  const j = structuredClone(job) as Loose;
  f(j);
  return j;
};

test('the job schema accepts a recipe and rejects code, paths and unknown fields', () => {
  assert.equal(jobProblem(job), null);
  assert.match(jobProblem(edit((j) => (j.spec.code = 'require("fs")')))!, /additional properties 'code'/);
  assert.match(jobProblem(edit((j) => (j.spec.recipe.dataset = 'csv:/etc/passwd')))!, /recipe\/dataset must match pattern/);
  assert.match(jobProblem(edit((j) => (j.spec.recipe.dataset = 'synthetic:n=10,seed=../../x')))!, /recipe\/dataset must match pattern/);
  assert.match(jobProblem(edit((j) => (j.dataset.name = 'npz:x.npz')))!, /dataset\/name must match pattern/);
  assert.equal(jobProblem(edit((j) => (j.spec.recipe.dataset = j.dataset.name = 'synthetic:n=2000,seed=3'))), null, 'synthetic specs travel');
  assert.match(jobProblem(edit((j) => (j.dataset.sha256 = 'abc')))!, /sha256 must match pattern/);
  assert.match(jobProblem(edit((j) => (j.spec.recipe.epochs = 1.5)))!, /epochs must be integer/);
  assert.match(jobProblem(edit((j) => (j.spec.recipe.model.hidden = { deep: { deeper: [1] } })))!, /hidden/);
  assert.match(jobProblem(edit((j) => delete j.cwrf))!, /must have required property 'cwrf'/);
  assert.notEqual(jobProblem('{"format":"cwrf-reference-job/1"}'), null);
});

test('job ids carry the cwrf version and change with anything that changes the model', () => {
  assert.match(jobId(job), /^cwrf-0\.1\.0-[0-9a-f]{32}$/);
  assert.equal(jobId(structuredClone(job)), jobId(job));
  for (const f of [(j: Loose) => (j.cwrf = '0.2.0'), (j: Loose) => (j.spec.recipe.seed = 8), (j: Loose) => (j.spec.members = 'AAAB'), (j: Loose) => (j.spec.recipe.data = { limit: 100 })])
    assert.notEqual(jobId(edit(f) as QueueJob), jobId(job));
});
