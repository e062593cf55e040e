/** graphql-ws clients (with the `ws` package: Node 20 has no global WebSocket) and subscription recordings. */
import type { TypedDocumentNode } from '@graphql-typed-document-node/core';
import { print } from 'graphql';
import { type Client, type ClientOptions, createClient } from 'graphql-ws';
import WebSocket from 'ws';
import { waitFor } from '../../support/wait.js';
import type { GraphQLError } from './graphql-http.js';

export function wsClient(url: string, token?: string, on?: ClientOptions['on']): Client {
  return createClient({
    url,
    webSocketImpl: WebSocket,
    retryAttempts: 0,
    connectionParams: token === undefined ? {} : { authorization: `Bearer ${token}` },
    ...(on ? { on } : {}),
  });
}

export type Recording<T> = {
  /** Every `data` received, in order. */
  readonly events: T[];
  readonly errors: GraphQLError[][];
  readonly completed: boolean;
  readonly failure: unknown;
  /** Resolves when at least `count` events arrived (or fails at the deadline, or on an error). */
  atLeast(count: number, what: string, timeoutMs?: number): Promise<T[]>;
  untilComplete(what: string, timeoutMs?: number): Promise<T[]>;
  stop(): void;
};

/** Subscribes and records; `onEvent` runs as each event arrives (to query right after a notification). */
export function record<T, V extends Record<string, unknown>>(
  client: Client,
  document: TypedDocumentNode<T, V>,
  variables: V,
  onEvent?: (event: T, index: number) => void,
): Recording<T> {
  const events: T[] = [];
  const errors: GraphQLError[][] = [];
  let completed = false;
  let failure: unknown;
  const stop = client.subscribe<T>(
    { query: print(document), variables },
    {
      next: (result) => {
        if (result.errors) errors.push(result.errors as unknown as GraphQLError[]);
        if (result.data) {
          events.push(result.data);
          onEvent?.(result.data, events.length - 1);
        }
      },
      error: (error) => (failure = error),
      complete: () => (completed = true),
    },
  );
  const settled = (): void => {
    if (errors.length > 0 || failure !== undefined) {
      throw new Error(`subscription failed: ${JSON.stringify(errors.length > 0 ? errors : failure)}`);
    }
  };
  return {
    events,
    errors,
    get completed() {
      return completed;
    },
    get failure() {
      return failure;
    },
    atLeast: async (count, what, timeoutMs = 10_000) => {
      // An error ends the wait at once: it is final, not "not yet".
      await waitFor(() => events.length >= count || errors.length > 0 || failure !== undefined, {
        timeoutMs,
        intervalMs: 10,
        message: `${what} (${count} events; got ${events.length}: ${JSON.stringify(events)})`,
      });
      settled();
      return events;
    },
    untilComplete: async (what, timeoutMs = 10_000) => {
      await waitFor(() => completed || failure !== undefined, { timeoutMs, message: `${what} to complete (got ${JSON.stringify(events)})`, intervalMs: 10 });
      settled();
      return events;
    },
    stop,
  };
}
