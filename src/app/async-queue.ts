/**
 * Turns pushed values into an async iterable that ends when `signal` aborts: the bridge between
 * callback-style sources (NATS subscriptions, KV watchers) and GraphQL subscription generators.
 *
 * Bounded: a consumer that falls `limit` values behind is ended with SubscriberTooSlowError
 * instead of buffering without end (one stalled client must not grow the api's memory).
 */
export type AsyncQueue<T> = AsyncIterable<T> & { push(value: T): void };

export const DEFAULT_QUEUE_LIMIT = 1_000;

export class SubscriberTooSlowError extends Error {
  constructor(readonly limit: number) {
    super(`the subscriber fell ${limit} updates behind and was ended; subscribe again to resume from the current state`);
    this.name = 'SubscriberTooSlowError';
  }
}

export function createAsyncQueue<T>(signal: AbortSignal, limit = DEFAULT_QUEUE_LIMIT): AsyncQueue<T> {
  let buffered: T[] = [];
  let overflowed = false;
  let wake: (() => void) | null = null;
  const poke = () => {
    const w = wake;
    wake = null;
    w?.();
  };
  signal.addEventListener('abort', poke, { once: true });

  return {
    push(value: T) {
      if (signal.aborted || overflowed) return;
      if (buffered.length >= limit) {
        overflowed = true;
        buffered = [];
      } else {
        buffered.push(value);
      }
      poke();
    },
    async *[Symbol.asyncIterator]() {
      try {
        while (!signal.aborted) {
          if (overflowed) throw new SubscriberTooSlowError(limit);
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
