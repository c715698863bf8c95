// A reference-training job on the queue: a recipe and a member half (plain, schema-checked JSON; never
// code or data), the dataset's canonical name and SHA-256, and the cwrf version that must train it.
import { createHash } from 'node:crypto';
import { Ajv } from 'ajv';
import { RELEASES } from '../../defenses/index.ts';
import { canonicalJson, recipeNumberSchema as n } from '../../train/index.ts';
import type { ReferenceSpec } from '../reference-task.ts';

/** The BullMQ queue that carries reference jobs. */
export const QUEUE_NAME = 'cwrf-references';

export interface QueueJob {
  format: 'cwrf-reference-job/1';
  cwrf: string;
  dataset: { name: string; sha256: string };
  spec: ReferenceSpec;
}

const num = { type: 'number' };
const name = { type: 'string', pattern: '^[a-z0-9][a-z0-9._-]{0,63}$' };
/** A named dataset, or a synthetic one with its parameters (generated alike on every machine). */
const datasetName = { type: 'string', pattern: '^([a-z0-9][a-z0-9._-]{0,63}|synthetic:[a-z0-9=.,]{0,200})$' };
const scalar = { type: ['number', 'string', 'boolean', 'null'], maxLength: 256 };
/** Option values of a named spec (model, optimizer, objective, defense): numbers, short strings, flat arrays, one level of objects. */
const value = {
  anyOf: [scalar, { type: 'array', maxItems: 64, items: scalar }, { type: 'object', maxProperties: 32, propertyNames: { pattern: '^[A-Za-z][A-Za-z0-9_]{0,63}$' }, additionalProperties: { anyOf: [scalar, { type: 'array', maxItems: 64, items: scalar }] } }],
};
const named = (key: string) => ({
  type: 'object',
  required: [key],
  maxProperties: 32,
  properties: { [key]: name },
  propertyNames: { pattern: '^[A-Za-z][A-Za-z0-9_]{0,63}$' },
  additionalProperties: value,
});

/** JSON schema of a job: what a worker accepts. */
export const JOB_SCHEMA = {
  type: 'object',
  additionalProperties: false,
  required: ['format', 'cwrf', 'dataset', 'spec'],
  properties: {
    format: { const: 'cwrf-reference-job/1' },
    cwrf: { type: 'string', pattern: '^[0-9A-Za-z.+-]{1,64}$' },
    dataset: {
      type: 'object',
      additionalProperties: false,
      required: ['name', 'sha256'],
      properties: { name: datasetName, sha256: { type: 'string', pattern: '^[0-9a-f]{64}$' } },
    },
    spec: {
      type: 'object',
      additionalProperties: false,
      required: ['recipe', 'members', 'population', 'threads'],
      properties: {
        members: { type: 'string', pattern: '^[A-Za-z0-9+/]*={0,2}$', maxLength: 1 << 24 },
        population: { type: 'integer', minimum: 1, maximum: 1 << 27 },
        threads: { type: 'integer', minimum: 1, maximum: 1024 },
        queries: { enum: [1, 2, 18] },
        recipe: {
          type: 'object',
          additionalProperties: false,
          required: ['dataset', 'split', 'model', 'optimizer', 'schedule', 'objective', 'epochs', 'batchSize', 'seed', 'memberSeed', 'defenses'],
          properties: {
            dataset: datasetName,
            data: { type: 'object', additionalProperties: false, properties: { labelColumn: n('data', 'labelColumn'), limit: n('data', 'limit') } },
            split: {
              type: 'object',
              additionalProperties: false,
              required: ['seed'],
              properties: { seed: n('split', 'seed'), populationSize: n('split', 'populationSize'), referenceFraction: n('split', 'referenceFraction'), testSize: n('split', 'testSize') },
            },
            model: named('arch'),
            optimizer: { ...named('name'), properties: { name, lr: n('optimizer', 'lr') } },
            schedule: named('name'),
            objective: named('name'),
            dp: {
              type: 'object',
              additionalProperties: false,
              required: ['maxGradNorm', 'delta'],
              properties: { maxGradNorm: n('dp', 'maxGradNorm'), noiseMultiplier: n('dp', 'noiseMultiplier'), targetEpsilon: n('dp', 'targetEpsilon'), delta: n('dp', 'delta') },
            },
            epochs: n('epochs'),
            batchSize: n('batchSize'),
            seed: n('seed'),
            memberSeed: n('memberSeed'),
            defenses: { type: 'array', maxItems: 16, items: named('method') },
            augment: {
              type: 'object',
              additionalProperties: false,
              required: ['flip', 'crop', 'pad'],
              properties: { flip: { type: 'boolean' }, crop: { type: 'boolean' }, pad: n('augment', 'pad') },
            },
            normalize: {
              anyOf: [
                { const: 'population' },
                {
                  type: 'object',
                  additionalProperties: false,
                  required: ['mean', 'std'],
                  properties: { mean: { type: 'array', maxItems: 64, items: num }, std: { type: 'array', maxItems: 64, items: num } },
                },
              ],
            },
            release: { type: 'object', additionalProperties: false, required: ['name'], properties: { name: { enum: RELEASES.names() } } },
          },
        },
      },
    },
  },
} as const;

const check = new Ajv({ allErrors: false, strict: false }).compile(JOB_SCHEMA);

/** Checks a job against the schema; returns the first problem as text, or null when it is valid. */
export function jobProblem(data: unknown): string | null {
  if (check(data)) return null;
  const e = check.errors?.[0];
  return e ? `${e.instancePath || '(job)'} ${e.message}${e.params && 'additionalProperty' in e.params ? ` '${String(e.params.additionalProperty)}'` : ''}` : 'invalid job';
}

/** The queue's id of a job: the cwrf version and a hash of everything that decides the model. */
export function jobId(job: QueueJob): string {
  const h = createHash('sha256').update(canonicalJson({ dataset: job.dataset, spec: job.spec })).digest('hex').slice(0, 32);
  return `cwrf-${job.cwrf}-${h}`;
}
