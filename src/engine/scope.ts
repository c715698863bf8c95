// Deterministic freeing of native memory: every tensor created inside `tidy` is freed when it
// returns, except the tensors in its result (which move to the enclosing scope) and those `keep`-ed.

/** Something that owns native memory. */
export interface Owned {
  dispose(): void;
  /** Called when the object belongs to no scope (created outside any, kept, or returned by the outermost). */
  unscoped?(): void;
}

const tracked = Symbol('cwrf.tracked');
type Tracked = Owned & { [tracked]?: true };

const scopes: Set<Owned>[] = [];

/** Registers a new native object with the innermost open scope (no-op outside any scope). */
export function track<T extends Owned>(o: T): T {
  const s = scopes[scopes.length - 1];
  if (s) {
    s.add(o);
    (o as Tracked)[tracked] = true;
  } else o.unscoped?.();
  return o;
}

/** Removes `o` from every open scope, so only an explicit dispose() (or the GC) frees it. */
export function keep<T extends Owned>(o: T): T {
  if ((o as Tracked)[tracked]) {
    for (const s of scopes) s.delete(o);
    delete (o as Tracked)[tracked];
    o.unscoped?.();
  }
  return o;
}

function collect(v: unknown, out: Set<Owned>, depth = 0): void {
  if (v == null || typeof v !== 'object' || depth > 4) return;
  if ((v as Tracked)[tracked]) out.add(v as Owned);
  if (Array.isArray(v)) for (const x of v) collect(x, out, depth + 1);
  else if (Object.getPrototypeOf(v) === Object.prototype) for (const x of Object.values(v)) collect(x, out, depth + 1);
}

/** Runs `fn` and frees every tensor it created that is not part of its (sync) result. */
export function tidy<T>(fn: () => T): T {
  const scope = new Set<Owned>();
  scopes.push(scope);
  let result: T;
  try {
    result = fn();
  } catch (e) {
    scopes.pop();
    for (const o of scope) o.dispose();
    throw e;
  }
  scopes.pop();
  if (result instanceof Promise) throw new Error('tidy() takes a synchronous function');
  const kept = new Set<Owned>();
  collect(result, kept);
  const parent = scopes[scopes.length - 1];
  for (const o of scope) {
    if (kept.has(o)) {
      if (parent) parent.add(o);
      else {
        delete (o as Tracked)[tracked];
        o.unscoped?.();
      }
    } else o.dispose();
  }
  return result;
}

/** Frees every tensor found in `v` (a tensor, array or plain object of tensors). */
export function dispose(v: unknown): void {
  const all = new Set<Owned>();
  (function walk(x: unknown, depth: number) {
    if (x == null || typeof x !== 'object' || depth > 4) return;
    if (typeof (x as Owned).dispose === 'function' && !Array.isArray(x)) {
      all.add(x as Owned);
      return;
    }
    if (Array.isArray(x)) for (const y of x) walk(y, depth + 1);
    else if (Object.getPrototypeOf(x) === Object.prototype) for (const y of Object.values(x)) walk(y, depth + 1);
  })(v, 0);
  for (const o of all) o.dispose();
}
