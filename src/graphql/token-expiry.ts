import { isAsyncIterable, type Plugin } from 'graphql-yoga';
import type { ExecutionResult } from 'graphql';
import type { GraphQLContext } from './context.js';
import { coded } from './errors.js';

/**
 * A subscription is authorized once, when it starts; without an end it would go on delivering
 * long after the token that allowed it expired. So it ends when the token expires:
 * - graphql-ws: the server closes the connection with 4403 "Token expired" (the token belongs to
 *   the connection). graphql-ws clients retry on 4403, calling `connectionParams` again: a
 *   function returning a fresh token resumes every subscription.
 * - SSE: the stream sends one last result with `extensions.code: "TOKEN_EXPIRED"`, then completes.
 */
export const TOKEN_EXPIRED_CLOSE_CODE = 4403;
export const TOKEN_EXPIRED_REASON = 'Token expired';

// setTimeout fires at once for delays beyond 2^31-1 ms (about 24.8 days): wait in steps.
const MAX_DELAY = 2 ** 31 - 1;

/** Runs `action` at epoch ms `at`; returns a cancel function. */
export function atTime(at: number, action: () => void, now: () => number = Date.now): () => void {
  let timer: NodeJS.Timeout | undefined;
  const arm = (): void => {
    const delay = at - now();
    if (delay <= 0) return action();
    timer = setTimeout(arm, Math.min(delay, MAX_DELAY));
    timer.unref?.();
  };
  arm();
  return () => clearTimeout(timer);
}

const expired = (): ExecutionResult => ({ errors: [coded('TOKEN_EXPIRED', 'The token expired: subscribe again with a fresh token')] });

/** `source` until `expiresAt`, then one TOKEN_EXPIRED result and the end; the source is released. */
export function endAtExpiry<T>(source: AsyncIterable<T>, expiresAt: number): AsyncIterableIterator<T | ExecutionResult> {
  const iterator = source[Symbol.asyncIterator]();
  let state: 'open' | 'expiring' | 'done' = 'open';
  let wake: (() => void) | undefined;
  const expiry = new Promise<void>((resolve) => (wake = resolve));
  const cancel = atTime(expiresAt, () => wake?.());
  const finish = (): void => {
    state = 'done';
    cancel();
    void Promise.resolve(iterator.return?.()).catch(() => undefined);
  };
  return {
    next: async (): Promise<IteratorResult<T | ExecutionResult>> => {
      if (state === 'done') return { done: true, value: undefined };
      if (state === 'expiring') {
        finish();
        return { done: true, value: undefined };
      }
      const next = await Promise.race([iterator.next(), expiry.then(() => 'expired' as const)]);
      if (next === 'expired') {
        state = 'expiring';
        return { done: false, value: expired() };
      }
      if (next.done) {
        state = 'done';
        cancel();
      }
      return next;
    },
    return: async (value?: unknown) => {
      finish();
      return { done: true, value: value as T };
    },
    throw: async (error?: unknown) => {
      finish();
      throw error;
    },
    [Symbol.asyncIterator]() {
      return this;
    },
  };
}

/** SSE (and any HTTP subscription): each subscription ends at its token's expiry. */
export function useTokenExpiry(): Plugin<GraphQLContext> {
  return {
    onSubscribe: ({ args }) => {
      const ctx = args.contextValue as GraphQLContext;
      return {
        onSubscribeResult: ({ result, setResult }) => {
          if (ctx.transport !== 'http' || ctx.tokenExpiresAt === null || !isAsyncIterable(result)) return;
          setResult(endAtExpiry(result, ctx.tokenExpiresAt) as typeof result);
        },
      };
    },
  };
}
