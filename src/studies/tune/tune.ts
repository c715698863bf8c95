// `cwrf tune` end to end: the search (search.ts), then its outputs, each written atomically into `out`:
//   tune.json     the search (search.ts's TuneJson): the same bytes for the same command, resumed or not
//   timings.json  wall-clock seconds of each invocation (kept out of tune.json so its bytes do not depend on them)
//   tune.html     the page (src/report/tune-report.ts)
//   chosen/       the chosen candidate's run directory, copied: an ordinary run for audit, export and predict
import { cpSync, existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Run } from '../../runs/run.ts';
import { writeDirAtomic, writeFileAtomic, writeJsonAtomic } from '../../io/atomic.ts';
import { renderTuneReport, type TuneReportInput } from '../../report/tune-report.ts';
import { goalLabel } from './goal.ts';
import { search, type Candidate, type SearchOptions, type TuneJson } from './search.ts';

/** timings.json: the seconds of every invocation that worked on this output (a resumed search has several). */
export interface TuneTimings {
  format: 'cwrf-tune-timings/1';
  sessions: { seconds: number }[];
  /** Sum over sessions. */
  seconds: number;
}

/** What a finished tune wrote. */
export interface TuneOutcome {
  json: TuneJson;
  timings: TuneTimings;
  /** The chosen model's run directory, or null when nothing was chosen. */
  chosenDir: string | null;
}

/** What the page shows of tune.json. */
export function tuneReportInput(t: TuneJson): TuneReportInput {
  return { ...t, goalLabel: goalLabel(t.goal), goalMax: t.goal.max };
}

function readTimings(file: string): TuneTimings['sessions'] {
  if (!existsSync(file)) return [];
  try {
    const t = JSON.parse(readFileSync(file, 'utf8')) as Partial<TuneTimings>;
    return Array.isArray(t.sessions) ? t.sessions : [];
  } catch {
    return [];
  }
}

/** Runs (or resumes) the search on `run` over `candidates` and writes its outputs into `o.out`. */
export async function tune(run: Run, candidates: Candidate[], o: SearchOptions): Promise<TuneOutcome> {
  const t0 = performance.now();
  const json = await search(run, candidates, o);
  await writeJsonAtomic(join(o.out, 'tune.json'), json);
  await writeFileAtomic(join(o.out, 'tune.html'), await renderTuneReport(tuneReportInput(json)));
  let chosenDir: string | null = null;
  if (json.chosen) {
    const from = join(o.out, 'candidates', json.chosen, 'run');
    chosenDir = join(o.out, 'chosen');
    await writeDirAtomic(chosenDir, (tmp) => cpSync(from, tmp, { recursive: true }));
  }
  const file = join(o.out, 'timings.json');
  const sessions = [...readTimings(file), { seconds: Math.round((performance.now() - t0) / 100) / 10 }];
  const timings: TuneTimings = { format: 'cwrf-tune-timings/1', sessions, seconds: Math.round(sessions.reduce((a, s) => a + s.seconds, 0) * 10) / 10 };
  await writeJsonAtomic(file, timings);
  return { json, timings, chosenDir };
}
