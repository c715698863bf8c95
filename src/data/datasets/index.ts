// The named datasets: one file per dataset; add one with one line here (the order is `cwrf datasets`' order).
import { mnistDataset } from './mnist.ts';
import { syntheticEntry } from './synthetic.ts';
import { locationDataset } from './location.ts';
import { purchase100Dataset } from './purchase100.ts';
import { texas100Dataset } from './texas100.ts';
import { cifar10Dataset } from './cifar10.ts';
import { cifar100Dataset } from './cifar100.ts';
import { cifar10JpegDataset } from './cifar10-jpeg.ts';
import type { DatasetEntry } from './types.ts';

export type { Candidate, DatasetEntry, DatasetKind } from './types.ts';

/** Every named dataset. */
export const DATASETS: readonly DatasetEntry[] = [
  mnistDataset,
  syntheticEntry,
  locationDataset,
  purchase100Dataset,
  texas100Dataset,
  cifar10Dataset,
  cifar100Dataset,
  cifar10JpegDataset,
];
