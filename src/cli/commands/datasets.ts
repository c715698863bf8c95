// `cwrf datasets`: the dataset registry and where files are looked for.
import { dataSearchPath, listDatasets, SPEC_FORMS } from '../../data/index.ts';
import { COMMON, DATA, type Command } from '../command.ts';
import { loadOptionsFromFlags } from '../data-flags.ts';

export const datasetsCommand: Command = {
  summary: 'list the datasets cwrf knows, with sizes and where their files are looked for',
  usage: 'cwrf datasets [--data-dir DIR]',
  examples: ['cwrf datasets', 'cwrf datasets --data-dir ../shared/data --json'],
  flags: { ...COMMON, ...DATA },
  async run(f, _pos, io) {
    const list = listDatasets();
    const search = dataSearchPath(loadOptionsFromFlags(f));
    for (const d of list)
      io.log(`${d.name.padEnd(14)} ${d.examples.padEnd(26)} ${String(d.classes).padStart(4)} classes  ${d.features.padEnd(22)} ${d.file ?? '(embedded)'}`);
    io.log('');
    for (const f of SPEC_FORMS) io.log(`${f.spec.padEnd(30)} ${f.description}`);
    io.log('');
    io.log(`files are looked for in: ${search.join(', ')}`);
    return { datasets: list, forms: SPEC_FORMS, searchPath: search };
  },
};
