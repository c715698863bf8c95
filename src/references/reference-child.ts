// Child process of the local pool: receives one reference task, trains it with processReference, exits.
import { InputError } from '../util/errors.ts';
import { setNoticeSink } from '../util/notice.ts';
import { processReference } from './reference.ts';
import { encodeOutcome, type ChildMessage, type ParentMessage } from './reference-task.ts';

const send = (m: ChildMessage): Promise<void> => {
  if (!process.connected) process.exit(1); // the parent is gone: stop training for nobody
  return new Promise((resolve) => process.send!(m, () => resolve()));
};

setNoticeSink((line) => void send({ type: 'notice', line }));

process.once('message', async (m: ParentMessage) => {
  try {
    const r = await processReference(m.task, (progress) => void send({ type: 'progress', progress }));
    await send({ type: 'done', outcome: encodeOutcome(r) });
    process.exitCode = 0;
  } catch (e) {
    await send({ type: 'error', message: (e as Error).message, input: e instanceof InputError });
    process.exitCode = 1;
  }
  process.disconnect();
});
