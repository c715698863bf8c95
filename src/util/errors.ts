/** An error caused by the user's input (bad flag, file, data): reported as one line, exit code 2. */
export class InputError extends Error {
  override name = 'InputError';
}

/** Throws an InputError with `message` unless `cond` holds. */
export function check(cond: unknown, message: string | (() => string)): asserts cond {
  if (!cond) throw new InputError(typeof message === 'string' ? message : message());
}
