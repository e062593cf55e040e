import { SubscriberTooSlowError } from '../app/async-queue.js';
import type { GraphQLContext } from './context.js';
import { subscriberTooSlow } from './errors.js';
import { createLoaders } from './loaders.js';

/**
 * Wraps a subscription body so that the client leaving (yoga or graphql-ws calling `return()`)
 * aborts it at once. A bare async generator parked on `await` would only see `return()` after
 * its next event, which for a quiet wallet may be never: a leaked live subscription.
 */
export function liveIterable<T>(body: (signal: AbortSignal) => AsyncGenerator<T>): AsyncIterableIterator<T> {
  const controller = new AbortController();
  const generator = body(controller.signal);
  return {
    // Ending by itself (a terminal transfer, a decided command) releases the live sources too.
    next: async () => {
      try {
        const result = await generator.next();
        if (result.done) controller.abort();
        return result;
      } catch (error) {
        controller.abort();
        // A client that could not keep up learns why its subscription ended, with a code to act on.
        throw error instanceof SubscriberTooSlowError ? subscriberTooSlow(error.message) : error;
      }
    },
    return: (value?: unknown) => {
      controller.abort();
      return generator.return(value as T);
    },
    throw: (error?: unknown) => {
      controller.abort();
      return generator.throw(error);
    },
    [Symbol.asyncIterator]() {
      return this;
    },
  };
}

/** Items of `source` until `signal` aborts, even while the source is still waiting for one. */
export async function* untilAborted<T>(source: AsyncIterable<T>, signal: AbortSignal): AsyncGenerator<T> {
  const iterator = source[Symbol.asyncIterator]();
  const aborted = new Promise<IteratorResult<T>>((resolve) => {
    const done = (): void => resolve({ done: true, value: undefined });
    if (signal.aborted) done();
    else signal.addEventListener('abort', done, { once: true });
  });
  try {
    for (;;) {
      const next = await Promise.race([iterator.next(), aborted]);
      if (next.done) return;
      yield next.value;
    }
  } finally {
    // Not awaited: a source parked on its own await would hold us until its next item.
    void Promise.resolve(iterator.return?.()).catch(() => undefined);
  }
}

/** Resolves when the client leaves: a stream that must stay open without ever emitting again. */
export const aborted = (signal: AbortSignal): Promise<void> =>
  new Promise((resolve) => (signal.aborted ? resolve() : signal.addEventListener('abort', () => resolve(), { once: true })));

/**
 * Yields one event of `field`, in its delivery span when it carries a trace (tracing on): from here
 * until the client asks for the next event, which SSE and graphql-ws do once this one is sent.
 */
export async function* deliver<T>(ctx: GraphQLContext, field: string, trace: string | undefined, value: T): AsyncGenerator<T> {
  if (trace === undefined || !ctx.traceDelivery) return yield value;
  const delivery = ctx.traceDelivery(field, trace, ctx);
  try {
    yield value;
  } finally {
    delivery.end();
  }
}

/** A subscription's context outlives any one event: give each event its own loaders (fresh reads). */
export function renewLoaders(ctx: GraphQLContext): void {
  ctx.loaders = createLoaders(ctx.app.read);
}
