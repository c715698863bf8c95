// The command table.
import type { Command } from '../command.ts';
import { auditCommand } from './audit.ts';
import { datasetsCommand } from './datasets.ts';
import { defendCommand } from './defend.ts';
import { scoreCommand } from './score.ts';
import { analyzeCommand } from './analyze.ts';
import { benchCommand } from './bench.ts';
import { epsilonCommand } from './epsilon.ts';
import { demoCommand } from './demo.ts';
import { trainCommand } from './train.ts';
import { exportCommand } from './export.ts';
import { predictCommand } from './predict.ts';
import { workerCommand } from './worker.ts';
import { tuneCommand } from './tune.ts';

export const COMMANDS: Record<string, Command> = {
  demo: demoCommand,
  datasets: datasetsCommand,
  train: trainCommand,
  audit: auditCommand,
  defend: defendCommand,
  score: scoreCommand,
  analyze: analyzeCommand,
  bench: benchCommand,
  tune: tuneCommand,
  epsilon: epsilonCommand,
  export: exportCommand,
  predict: predictCommand,
  worker: workerCommand,
};
