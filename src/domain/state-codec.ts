/**
 * An aggregate's state as plain JSON, for snapshots. `shape` names the layout: whoever changes a
 * state type (or what its fold puts in it) bumps it, and every snapshot written in another shape
 * is then ignored and rebuilt from the journal, never read into the new type. `decode` trusts
 * nothing: anything that is not exactly the expected layout answers null.
 */
export type Json = null | boolean | number | string | readonly Json[] | { readonly [field: string]: Json };

export type StateCodec<S> = Readonly<{
  shape: number;
  encode(state: S): Json;
  /** The state `json` holds for aggregate `id`, or null when it is not one (damaged, or another aggregate's). */
  decode(json: unknown, id: string): S | null;
}>;

/** Small readers for `decode`: each answers the value, or undefined when the JSON is not of that kind. */
export const field = (json: unknown, name: string): unknown =>
  typeof json === 'object' && json !== null && !Array.isArray(json) ? (json as Record<string, unknown>)[name] : undefined;
export const text = (value: unknown): string | undefined => (typeof value === 'string' ? value : undefined);
export const whole = (value: unknown): number | undefined => (typeof value === 'number' && Number.isSafeInteger(value) && value >= 0 ? value : undefined);
export const units = (value: unknown): bigint | undefined => (typeof value === 'string' && /^-?\d+$/.test(value) ? BigInt(value) : undefined);
/** The array's items read by `read`; undefined when it is no array or any item does not read. */
export const list = <T>(value: unknown, read: (item: unknown) => T | undefined): T[] | undefined => {
  if (!Array.isArray(value)) return undefined;
  const items: T[] = [];
  for (const item of value) {
    const read_ = read(item);
    if (read_ === undefined) return undefined;
    items.push(read_);
  }
  return items;
};
