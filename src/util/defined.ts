// Objects without their undefined entries: an unset option must not override a default when spread over it.

/** `o` without the keys whose value is undefined. */
export const definedOnly = <T extends object>(o: T): Partial<T> => Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Partial<T>;
