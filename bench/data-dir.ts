// Where the benchmarks read their data files (Location and the like): $CWRF_DATA_DIR, else the shared data
// folder the tests find (sharedDataDir: $CWRF_SHARED_DATA or ../shared/data beside the repository).
import { sharedDataDir } from '../src/data/test-helpers.ts';

/** The benchmarks' data folder; exits (code 2) with one line when there is none. */
export function benchDataDir(): string {
  const dir = process.env.CWRF_DATA_DIR ?? sharedDataDir();
  if (dir) return dir;
  console.error('bench: no data folder: set CWRF_DATA_DIR (or CWRF_SHARED_DATA) to the folder that holds location/dataset_location.tgz');
  process.exit(2);
}
