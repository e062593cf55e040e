/**
 * Maps items through an async function with at most `limit` calls in flight, keeping the results
 * in the items' order. Calls start in index order, so a call may rely on every earlier index
 * having started before it (a batch uses that to answer a repeated key from its first use).
 *
 * The first failure stops new calls from starting; the calls already in flight are awaited
 * (nothing keeps running behind the caller's back) and then the failure is thrown.
 */
export async function mapBounded<T, R>(items: readonly T[], limit: number, fn: (item: T, index: number) => Promise<R>): Promise<R[]> {
  if (!Number.isInteger(limit) || limit < 1) throw new RangeError(`limit must be a whole number >= 1, not ${limit}`);
  const results = new Array<R>(items.length);
  let next = 0;
  let failure: { error: unknown } | null = null;

  const worker = async (): Promise<void> => {
    while (failure === null && next < items.length) {
      const index = next++;
      try {
        results[index] = await fn(items[index] as T, index);
      } catch (error) {
        failure ??= { error };
      }
    }
  };

  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  if (failure !== null) throw (failure as { error: unknown }).error;
  return results;
}
