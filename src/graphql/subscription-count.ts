/**
 * Counts the subscriptions open right now, by root field, over SSE and graphql-ws alike (both run
 * through envelop). A subscription ends by completing, by the client leaving (`return()`), or by
 * failing; envelop's own onEnd misses the last (a rejected `next()`), which would leave the count
 * one too high for good, so the iterator is wrapped here instead.
 */
import { getOperationAST } from 'graphql';
import { isAsyncIterable, type Plugin } from 'graphql-yoga';

/** Called as a subscription starts; returns what to call once it has ended. */
export type SubscriptionObserver = (kind: string) => () => void;

function counted<T>(source: AsyncIterable<T>, end: () => void): AsyncIterableIterator<T> {
  const iterator = source[Symbol.asyncIterator]();
  let open = true;
  const close = (): void => {
    if (open) end();
    open = false;
  };
  return {
    next: (...args) =>
      iterator.next(...args).then(
        (result) => {
          if (result.done) close();
          return result;
        },
        (error: unknown) => {
          close();
          throw error;
        },
      ),
    return: (value?: unknown) => {
      close();
      return iterator.return?.(value) ?? Promise.resolve({ done: true, value: undefined as T });
    },
    throw: (error?: unknown) => {
      close();
      return iterator.throw?.(error) ?? Promise.reject(error);
    },
    [Symbol.asyncIterator]() {
      return this;
    },
  };
}

export function useSubscriptionCount(observe: SubscriptionObserver): Plugin {
  return {
    onSubscribe({ args }) {
      const operation = getOperationAST(args.document, args.operationName);
      const field = operation?.selectionSet.selections.find((s) => s.kind === 'Field');
      const kind = field?.kind === 'Field' ? field.name.value : 'unknown';
      return {
        onSubscribeResult({ result, setResult }) {
          if (isAsyncIterable(result)) setResult(counted(result, observe(kind)));
        },
      };
    },
  };
}
