/** A GraphQL subscription over Server-Sent Events with fetch, parsing the event stream by hand. */
import type { TypedDocumentNode } from '@graphql-typed-document-node/core';
import { print } from 'graphql';
import { waitFor } from '../../support/wait.js';
import type { GraphQLError } from './graphql-http.js';

export type SseSubscription<T> = {
  readonly status: number;
  readonly contentType: string | null;
  readonly events: T[];
  readonly errors: GraphQLError[][];
  atLeast(count: number, what: string, timeoutMs?: number): Promise<T[]>;
  /** Waits for the first event, error or end, whichever comes first. */
  firstAnswer(what: string, timeoutMs?: number): Promise<{ events: T[]; errors: GraphQLError[][]; ended: unknown }>;
  /** Why the stream ended (undefined while open). */
  readonly ended: unknown;
  close(): void;
};

export async function sseSubscribe<T, V extends Record<string, unknown>>(
  url: string,
  document: TypedDocumentNode<T, V> | string,
  variables: V,
  token?: string,
): Promise<SseSubscription<T>> {
  const controller = new AbortController();
  const response = await fetch(url, {
    method: 'POST',
    signal: controller.signal,
    headers: { 'content-type': 'application/json', accept: 'text/event-stream', ...(token === undefined ? {} : { authorization: `Bearer ${token}` }) },
    body: JSON.stringify({ query: typeof document === 'string' ? document : print(document), variables }),
  });
  const events: T[] = [];
  const errors: GraphQLError[][] = [];
  let ended: unknown;

  // Blocks end with a blank line; `:` lines are keep-alive comments; `data:` lines carry the JSON.
  const onBlock = (block: string): void => {
    let type = 'message';
    const data: string[] = [];
    for (const line of block.split('\n')) {
      if (line.startsWith(':')) continue;
      const colon = line.indexOf(':');
      const field = colon === -1 ? line : line.slice(0, colon);
      const value = colon === -1 ? '' : line.slice(colon + 1).replace(/^ /, '');
      if (field === 'event') type = value;
      else if (field === 'data') data.push(value);
    }
    if (type === 'complete') ended = 'complete';
    if ((type !== 'next' && type !== 'message') || data.length === 0) return;
    const payload = JSON.parse(data.join('\n')) as { data?: T; errors?: GraphQLError[] };
    if (payload.errors) errors.push(payload.errors);
    if (payload.data) events.push(payload.data);
  };
  void (async () => {
    const decoder = new TextDecoder();
    let buffer = '';
    try {
      for await (const chunk of response.body as unknown as AsyncIterable<Uint8Array>) {
        buffer += decoder.decode(chunk, { stream: true }).replace(/\r\n/g, '\n');
        for (let end = buffer.indexOf('\n\n'); end !== -1; end = buffer.indexOf('\n\n')) {
          onBlock(buffer.slice(0, end));
          buffer = buffer.slice(end + 2);
        }
      }
      ended ??= 'end of stream';
    } catch (error) {
      ended ??= controller.signal.aborted ? 'closed' : error;
    }
  })();

  return {
    status: response.status,
    contentType: response.headers.get('content-type'),
    events,
    errors,
    atLeast: async (count, what, timeoutMs = 10_000) => {
      await waitFor(() => events.length >= count || errors.length > 0 || ended !== undefined, {
        timeoutMs,
        intervalMs: 10,
        message: `${what} over SSE (${count} events; got ${JSON.stringify(events)})`,
      });
      if (events.length < count) throw new Error(`SSE stream for ${what} ended early (${String(ended)}): ${JSON.stringify(errors)}`);
      return events;
    },
    firstAnswer: async (what, timeoutMs = 10_000) => {
      await waitFor(() => events.length > 0 || errors.length > 0 || ended !== undefined, { timeoutMs, intervalMs: 10, message: `${what} over SSE` });
      return { events, errors, ended };
    },
    get ended() {
      return ended;
    },
    close: () => controller.abort(),
  };
}
