// What a reference model costs after its training: scoring the population (each LiRA query) and the test set.
// Measured with glibc's default allocator thresholds (CWRF_ALLOCATOR=glibc) and with cwrf's (large buffers kept
// in the heap), in fresh child processes, alternating, on the memorising CIFAR-10 small CNN of issue 25.
//   node --import tsx bench/reference-eval.ts [--rounds 3] [--population 10000] [--data-dir ../shared/data]
import { spawnSync } from 'node:child_process';
import { loadavg, cpus } from 'node:os';
import { fileURLToPath } from 'node:url';
import { median } from './timing.ts';

const args = process.argv.slice(2);
const opt = (name: string, dflt: string) => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? args[i + 1] : dflt;
};

if (args[0] === '--child') {
  const { Generator, setThreads } = await import('../src/engine/index.ts');
  const { buildModel } = await import('../src/nn/index.ts');
  const { defaultRecipe, loadData } = await import('../src/train/index.ts');
  const { evaluate, targetMembers } = await import('../src/runs/index.ts');
  setThreads(1);
  const base = defaultRecipe('cifar10-jpeg');
  const recipe = { ...base, model: { arch: 'smallcnn', norm: 'none' as const }, split: { ...base.split, populationSize: Number(opt('population', '10000')) } };
  const data = await loadData(recipe, { dataDir: opt('data-dir', '../shared/data') });
  const model = buildModel(recipe.model, data.shape, data.classes, new Generator(0));
  const members = targetMembers(recipe, data.split.population.length);
  const before = process.resourceUsage();
  const t0 = performance.now();
  evaluate(model, data, members, recipe, 2);
  const seconds = (performance.now() - t0) / 1000;
  const after = process.resourceUsage();
  console.log(
    JSON.stringify({
      seconds,
      systemSeconds: (after.systemCPUTime - before.systemCPUTime) / 1e6,
      userSeconds: (after.userCPUTime - before.userCPUTime) / 1e6,
      minorFaults: after.minorPageFault - before.minorPageFault,
      images: data.split.population.length * 2 + data.testLabels.length,
    }),
  );
  process.exit(0);
}

const rounds = Number(opt('rounds', '3'));
const self = fileURLToPath(import.meta.url);
type Result = { seconds: number; systemSeconds: number; userSeconds: number; minorFaults: number; images: number };
const results: Record<string, Result[]> = { glibc: [], cwrf: [] };
const load0 = loadavg()[0];
for (let r = 0; r < rounds; r++)
  for (const mode of r % 2 ? ['cwrf', 'glibc'] : ['glibc', 'cwrf']) {
    const env = { ...process.env, ...(mode === 'glibc' ? { CWRF_ALLOCATOR: 'glibc' } : {}) };
    const out = spawnSync(process.execPath, ['--import', 'tsx', self, '--child', ...args], { encoding: 'utf8', env });
    if (out.status !== 0) throw new Error(out.stderr);
    results[mode].push(JSON.parse(out.stdout.trim().split('\n').pop()!) as Result);
  }
console.log(`reference scoring (population x 2 queries + test set, ${results.cwrf[0].images} images, small CNN, 1 thread), ${rounds} alternating rounds`);
console.log(`machine: ${cpus()[0]?.model} x${cpus().length}; load average ${load0.toFixed(2)} at the start, ${loadavg()[0].toFixed(2)} at the end`);
for (const [mode, rs] of Object.entries(results)) {
  const s = rs.map((x) => x.seconds);
  console.log(
    `${mode.padEnd(6)} wall ${median(s).toFixed(2)} s (min ${Math.min(...s).toFixed(2)}, max ${Math.max(...s).toFixed(2)}), ` +
      `kernel ${median(rs.map((x) => x.systemSeconds)).toFixed(2)} s, user ${median(rs.map((x) => x.userSeconds)).toFixed(2)} s, minor page faults ${median(rs.map((x) => x.minorFaults))}`,
  );
}
const ratio = median(results.glibc.map((x) => x.seconds)) / median(results.cwrf.map((x) => x.seconds));
const overlap = Math.min(...results.glibc.map((x) => x.seconds)) <= Math.max(...results.cwrf.map((x) => x.seconds));
console.log(`glibc / cwrf wall: ${ratio.toFixed(2)}x${overlap ? ' (the rounds overlap: no measurable difference)' : ''}`);
