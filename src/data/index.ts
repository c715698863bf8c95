// Public API of the data layer.

/** Dataset, split-block, listing and load-option types. */
export type { Dataset, DatasetInfo, LoadOptions, Tensorish } from './types.ts';
/** The named datasets (one file each) and what one registers. */
export { DATASETS, type DatasetEntry, type DatasetKind } from './datasets/index.ts';
/** Load a dataset by name or spec; list named datasets; the spec forms; the data search path; specs every machine resolves alike. */
export { datasetKind, datasetName, listDatasets, loadDataset, localDatasetPaths, csvFileOf, dataSearchPath, isPortableSpec, SPEC_FORMS, labelsFromArray } from './registry.ts';
/** The seeded synthetic tabular dataset (`synthetic:n=...,features=...,classes=...,noise=...,seed=...`). */
export { parseSyntheticSpec, syntheticDataset, syntheticName, SYNTHETIC_DEFAULTS, type SyntheticSpec } from './synthetic.ts';
/** Seeded population/reference/test split, member masks and balanced shadow-model inclusion. */
export { makeSplit, memberMask, balancedInclusion, type Split } from './split.ts';
/** Dataset checks (finite x, label range, sizes), class-balanced limiting and row gathering. */
export { validateDataset, limitBalanced, gather, prod } from './validate.ts';
/** NumPy .npy/.npz reading and writing. */
export { parseNpy, parseNpz, writeNpy, writeNpz, type NdArray, type NpyData } from './npy.ts';
/** Numeric CSV readers (fast scanner for benchmark files; csv-parse reader for user files). */
export { readCsvFile, scanNumericCsv, type CsvTable } from './tabular.ts';
export { labelColumnIndex, readCsvFirstRow, resolveLabelColumn, type LabelColumnSpec } from './csv-labels.ts';
/** Image-folder loading, JPEG/PNG decoding and bilinear resizing. */
export { loadImageFolder, decodeImage, writeChw, type ImageSource } from './images.ts';
/** CIFAR-10/100 binary parsing and class names. */
export { loadCifarBinary, parseCifarRecords, CIFAR10_CLASSES, CIFAR100_CLASSES } from './cifar.ts';
/** sha256 of a buffer, the cache root, atomic writes, tar reading. */
export { sha256, cacheRoot, readTar } from './io.ts';
/** Training augmentation and LiRA queries (batched engine ops on [N, C, H, W]). */
export { augmentBatch, applyQuery, checkAugment, hflip, liraQueries, parseAugment, reflectPad, AUGMENT_CHOICES, type AugmentSpec, type Query } from './augment.ts';
/** Per-channel image normalisation. */
export { channelStats, checkNormalize, parseNormalize, type NormalizeSpec } from './normalize.ts';
