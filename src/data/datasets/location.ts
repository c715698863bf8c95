// Location (privacytrustlab): the release tarball, its CSV, or an npz.
import { tabularNamed } from './arrays.ts';
import type { DatasetEntry } from './types.ts';

const LOCATION_SHA = '927203f85a868f8ee17a0ded1dc61699efe602167beabe34fbf45b4b1de94b33';
const BANGKOK_SHA = '2ca8f7fc231251e089823e44d39f2d1eed124574cc351c7f80368cfe631dd718';

export const locationDataset: DatasetEntry = {
  kind: 'tabular',
  info: {
    name: 'location',
    description: 'Location (Foursquare Bangkok check-ins; Shokri et al. 2017), privacytrustlab/datasets',
    file: 'dataset_location.tgz',
    sha256: LOCATION_SHA,
    examples: '5,010',
    classes: 30,
    features: '446 binary',
  },
  candidates: [
    { file: 'dataset_location.tgz', sha256: LOCATION_SHA, kind: 'tgz' },
    { file: 'bangkok', sha256: BANGKOK_SHA, kind: 'csv' },
    { file: 'location.npz', kind: 'npz' },
  ],
  subdirs: ['location'],
  load: tabularNamed('location', 'bangkok', 446, 30),
};
