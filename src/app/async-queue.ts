/**
 * Turns pushed values into an async iterable that ends when `signal` aborts: the bridge between
 * callback-style sources (NATS subscriptions, KV watchers) and GraphQL subscription generators.
 */
export type AsyncQueue<T> = AsyncIterable<T> & { push(value: T): void };

export function createAsyncQueue<T>(signal: AbortSignal): AsyncQueue<T> {
  const buffered: T[] = [];
  let wake: (() => void) | null = null;
  const poke = () => {
    const w = wake;
    wake = null;
    w?.();
  };
  signal.addEventListener('abort', poke, { once: true });

  return {
    push(value: T) {
      if (signal.aborted) return;
      buffered.push(value);
      poke();
    },
    async *[Symbol.asyncIterator]() {
      try {
        while (!signal.aborted) {
          if (buffered.length > 0) {
            yield buffered.shift() as T;
            continue;
          }
          await new Promise<void>((resolve) => (wake = resolve));
        }
      } finally {
        signal.removeEventListener('abort', poke);
      }
    },
  };
}
