// What a named dataset registers: what `cwrf datasets` lists, its kind, the files it loads from and how.
import type { Dataset, DatasetInfo, LoadOptions } from '../types.ts';

/** A file a named dataset can be loaded from; `sha256` undefined = only existence is checked. */
export interface Candidate {
  file: string;
  sha256?: string;
  kind: 'tgz' | 'csv' | 'npz';
}

/**
 * Image or tabular: decides the default recipe (an image dataset trains a CNN with LiRA's augmentation on
 * population-normalised inputs), the rows of `cwrf bench` and the defenses' defaults per family.
 */
export type DatasetKind = 'image' | 'tabular';

/** A named dataset of the registry (src/data/datasets/index.ts). */
export interface DatasetEntry {
  info: DatasetInfo;
  kind: DatasetKind;
  /** Files it loads from, first the canonical one (none: generated or shipped). */
  candidates: Candidate[];
  /** Subfolders of the data directories searched too. */
  subdirs: string[];
  load(path: string, c: Candidate, buf: Buffer, sha: string, opts: LoadOptions): Dataset;
}
