/** A block of examples: `x` is row-major [n, ...shape], `y` holds integer labels 0..classes-1. */
export interface Tensorish {
  x: Float32Array;
  y: Int32Array;
  n: number;
}

/** A loaded dataset. Images are float32 CHW in [0,1] (shape [3,H,W]); tabular data is [features]. */
export interface Dataset {
  name: string;
  shape: number[];
  classes: number;
  classNames?: string[];
  train: Tensorish;
  test?: Tensorish;
  /** File(s) it came from. */
  source: string;
  /** sha256 of the source file (archives), when a single file was read. */
  sha256?: string;
  /** csv: the label column read, as a 0-based index among all columns. */
  labelColumn?: number;
}

/** A row of `listDatasets()`. */
export interface DatasetInfo {
  name: string;
  description: string;
  file?: string;
  sha256?: string;
  examples: string;
  classes: number;
  features: string;
}

/** Options for `loadDataset`. */
export interface LoadOptions {
  /** Directory searched first for named datasets' files. */
  dataDir?: string;
  /** Label column of `csv:` files: 0-based index (negative: from the end), 'first', 'last' or a header name (default 'first'). */
  labelColumn?: number | string;
  /** Target [height, width] for image folders whose images differ in size. */
  imageSize?: [number, number];
  /** Resize mismatched images (default true); false rejects them. */
  resize?: boolean;
  /** Decoded-image cache root (default `$CWRF_CACHE_DIR` or `~/.cache/cwrf`). */
  cacheDir?: string;
  /** Keep only the first `limit` examples of each split, class-balanced (for tests and quick runs). */
  limit?: number;
  /** Set false to neither read nor write the decoded-image cache. */
  cache?: boolean;
}
