// Texas-100 (privacytrustlab): the release tarball (feats + labels, or one CSV), or an npz.
import { InputError } from '../../util/errors.ts';
import { readTar } from '../io.ts';
import { parseNpz } from '../npy.ts';
import { scanNumericCsv, toLabels } from '../tabular.ts';
import type { Dataset } from '../types.ts';
import { baseName, fromArrays, tabular } from './arrays.ts';
import type { Candidate, DatasetEntry } from './types.ts';

export const texas100Dataset: DatasetEntry = {
  kind: 'tabular',
  info: {
    name: 'texas100',
    description: 'Texas-100 (hospital discharge records; Shokri et al. 2017), privacytrustlab/datasets',
    file: 'dataset_texas.tgz',
    examples: '67,330',
    classes: 100,
    features: '6,169 binary',
  },
  candidates: [
    { file: 'dataset_texas.tgz', kind: 'tgz' },
    { file: 'texas100.npz', kind: 'npz' },
  ],
  subdirs: ['texas100', 'texas'],
  load: loadTexas,
};

function loadTexas(path: string, c: Candidate, buf: Buffer, sha: string): Dataset {
  const FEATURES = 6169;
  if (c.kind === 'npz') return fromArrays('texas100', path, parseNpz(buf, path), { classes: 100, features: FEATURES, sha });
  const entries = readTar(path, buf);
  const feats = entries.find((e) => e.path.endsWith('texas/100/feats') || e.path === 'feats');
  const labels = entries.find((e) => e.path.endsWith('texas/100/labels') || e.path === 'labels');
  if (feats && labels) {
    const fw = `${path}:${feats.path}`;
    const lw = `${path}:${labels.path}`;
    const f = scanNumericCsv(feats.data, fw, { labelColumn: 'none', expectColumns: FEATURES, what: 'features' });
    const l = scanNumericCsv(labels.data, lw, { labelColumn: 'first', expectColumns: 1, what: 'one label per line' });
    if (f.n !== l.n) throw new InputError(`cannot read ${path}: ${feats.path} has ${f.n} rows but ${labels.path} has ${l.n}`);
    return tabular('texas100', path, f.x, toLabels(l.labels, 100, 1, lw), f.d, 100, sha);
  }
  const files = entries.filter((e) => !baseName(e.path).startsWith('.'));
  if (files.length !== 1) {
    throw new InputError(
      `cannot read ${path}: expected texas/100/feats and texas/100/labels, or a single CSV file, found ${files.map((e) => e.path).join(', ') || 'no files'}`,
    );
  }
  const w = `${path}:${files[0].path}`;
  const s = scanNumericCsv(files[0].data, w, { labelColumn: 'first', expectColumns: FEATURES + 1, what: `label + ${FEATURES} features` });
  return tabular('texas100', path, s.x, toLabels(s.labels, 100, 1, w), s.d, 100, sha);
}
