/** Builds the GraphQL layer over the in-memory fake app, with real JWTs, for `yoga.fetch` tests. */
import { createTokenVerifier, signToken } from '../../../src/infra/auth/jwt.js';
import type { Logger } from '../../../src/graphql/context.js';
import { createGraphQLHandler } from '../../../src/graphql/server.js';
import {
  balanceView,
  createFakeLedgerApp,
  entryView,
  transferView,
  walletView,
  type FakeLedgerApp,
  type Seed,
} from '../../support/fake-ledger-app.js';

export const SECRET = 'unit-test-secret-with-enough-entropy-0123456789';

export type GraphQLResponse = {
  data?: Record<string, any> | null;
  errors?: { message: string; path?: (string | number)[]; extensions?: Record<string, any> }[];
};

export type RecordingLogger = Logger & { readonly errors: { obj: unknown; msg?: string | undefined }[] };

export function recordingLogger(): RecordingLogger {
  const errors: { obj: unknown; msg?: string | undefined }[] = [];
  const ignore = (): void => undefined;
  return { errors, error: (obj, msg) => errors.push({ obj, msg }), warn: ignore, info: ignore, debug: ignore };
}

/** alice owns wallet-a1 and wallet-a2, bob owns wallet-b1; one transfer goes from a1 to b1. */
export function standardSeed(): Partial<Seed> {
  return {
    wallets: [
      walletView({ id: 'wallet-a1', ownerId: 'alice', name: 'Alice main', createdSeq: 1 }),
      walletView({ id: 'wallet-a2', ownerId: 'alice', name: 'Alice savings', createdSeq: 3 }),
      walletView({ id: 'wallet-b1', ownerId: 'bob', name: 'Bob main', createdSeq: 2 }),
    ],
    balances: [
      balanceView({ walletId: 'wallet-a1', asset: 'BTC', total: '1.5', reserved: '0.5', version: 4 }),
      balanceView({ walletId: 'wallet-a1', asset: 'ETH', total: '10', version: 3 }),
      balanceView({ walletId: 'wallet-b1', asset: 'BTC', total: '0.25', version: 2 }),
    ],
    entries: [
      entryView({ id: 'entry-1', walletId: 'wallet-a1', seq: 10, asset: 'BTC', amount: '2', totalAfter: '2' }),
      entryView({ id: 'entry-2', walletId: 'wallet-a1', seq: 12, asset: 'ETH', amount: '10', totalAfter: '10' }),
      entryView({ id: 'entry-3', walletId: 'wallet-a1', seq: 15, asset: 'BTC', type: 'RESERVE', amount: '0.5', totalAfter: '2', reservedAfter: '0.5' }),
      entryView({ id: 'entry-4', walletId: 'wallet-a1', seq: 20, asset: 'BTC', type: 'TRANSFER_OUT', amount: '0.5', totalAfter: '1.5', reservedAfter: '0.5', transferId: 'transfer-1' }),
      entryView({ id: 'entry-5', walletId: 'wallet-b1', seq: 21, asset: 'BTC', type: 'TRANSFER_IN', amount: '0.25', totalAfter: '0.25', transferId: 'transfer-1' }),
    ],
    transfers: [
      transferView({ id: 'transfer-1', fromWalletId: 'wallet-a1', toWalletId: 'wallet-b1', amount: '0.25', status: 'PENDING' }),
      transferView({
        id: 'transfer-2',
        fromWalletId: 'wallet-a1',
        toWalletId: 'wallet-a2',
        status: 'SCHEDULED',
        executeAt: new Date('2031-01-01T00:00:00.000Z'),
      }),
    ],
  };
}

export type Harness = Awaited<ReturnType<typeof createHarness>>;

export async function createHarness(seed: Partial<Seed> = standardSeed(), options: { graphiqlToken?: string; graphiql?: boolean; debugErrors?: boolean } = {}) {
  const app: FakeLedgerApp = createFakeLedgerApp(seed);
  const logger = recordingLogger();
  const verifyToken = createTokenVerifier({ secret: SECRET });
  const handler = createGraphQLHandler({ app, verifyToken, logger, graphiql: { enabled: options.graphiql, token: options.graphiqlToken }, debugErrors: options.debugErrors });
  const sign = (sub: string, admin = false) => signToken({ secret: SECRET, sub, admin, ttl: '1h' });
  const tokens = { alice: await sign('alice'), bob: await sign('bob'), carol: await sign('carol'), admin: await sign('root', true) };

  const headersFor = (token: string | undefined, extra: Record<string, string> = {}): Record<string, string> => ({
    'content-type': 'application/json',
    ...(token ? { authorization: `Bearer ${token}` } : {}),
    ...extra,
  });

  /** One GraphQL request over HTTP (no socket): the parsed body and the HTTP status. */
  async function gql(query: string, variables?: Record<string, unknown>, token?: string) {
    const response = await handler.yoga.fetch('http://jetledger.test/graphql', {
      method: 'POST',
      headers: headersFor(token, { accept: 'application/graphql-response+json, application/json' }),
      body: JSON.stringify({ query, variables }),
    });
    return { status: response.status, body: (await response.json()) as GraphQLResponse };
  }

  /** Starts a subscription over SSE; the caller reads events and aborts to leave. */
  async function sse(query: string, variables: Record<string, unknown>, token?: string) {
    const controller = new AbortController();
    const response = await handler.yoga.fetch('http://jetledger.test/graphql', {
      method: 'POST',
      headers: headersFor(token, { accept: 'text/event-stream' }),
      body: JSON.stringify({ query, variables }),
      signal: controller.signal,
    });
    const events = sseEvents(response);
    // Leaving = cancelling the body, as the node adapter does when the client's socket closes.
    const close = (): void => {
      controller.abort();
      void events.return(undefined);
    };
    return { response, events, close };
  }

  return { app, logger, handler, yoga: handler.yoga, tokens, sign, gql, sse };
}

/** Parses `event: next` / `event: complete` frames of a yoga SSE response. */
export async function* sseEvents(response: Response): AsyncGenerator<{ event: string; data: GraphQLResponse | null }> {
  const reader = response.body!.pipeThrough(new TextDecoderStream()).getReader();
  let buffer = '';
  try {
    for (;;) {
      const { value, done } = await reader.read();
      if (done) return;
      buffer += value;
      let end: number;
      while ((end = buffer.indexOf('\n\n')) >= 0) {
        const frame = buffer.slice(0, end);
        buffer = buffer.slice(end + 2);
        const lines = frame.split('\n').filter((l) => !l.startsWith(':'));
        if (lines.length === 0) continue;
        const event = lines.find((l) => l.startsWith('event:'))?.slice(6).trim() ?? 'message';
        const data = lines.filter((l) => l.startsWith('data:')).map((l) => l.slice(5).trim()).join('\n');
        yield { event, data: data ? (JSON.parse(data) as GraphQLResponse) : null };
      }
    }
  } finally {
    await reader.cancel().catch(() => undefined);
  }
}

/** The next item of `iterator`, or a failure naming what was awaited after `ms`. */
export async function nextWithin<T>(iterator: AsyncIterator<T>, what: string, ms = 5_000): Promise<IteratorResult<T>> {
  let timer: NodeJS.Timeout | undefined;
  try {
    return await Promise.race([
      iterator.next(),
      new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new Error(`timed out waiting for ${what}`)), ms))),
    ]);
  } finally {
    clearTimeout(timer);
  }
}

/** Waits until `check` holds, polling, or fails after `ms`. */
export async function until(check: () => boolean, what: string, ms = 5_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting until ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

export const codes = (body: GraphQLResponse): (string | undefined)[] => (body.errors ?? []).map((e) => e.extensions?.['code']);

/** The harness behind a real HTTP server (probes stubbed), for graphql-ws and socket-level tests. */
export async function serveHarness(h: Harness) {
  const { startHttpServer } = await import('../../../src/infra/http/server.js');
  const server = await startHttpServer({
    port: 0,
    host: '127.0.0.1',
    yoga: h.yoga,
    attachWebSocket: h.handler.attachWebSocket,
    routes: {
      healthz: async () => ({ ok: true }),
      readyz: async () => ({ ok: true, checks: {} }),
      metrics: async () => ({ contentType: 'text/plain', body: '' }),
    },
  });
  return { server, wsUrl: `${server.url.replace(/^http/, 'ws')}/graphql` };
}

/** One operation over graphql-ws: the first payload, or the errors the client was handed. */
export async function overWebSocket(
  wsUrl: string,
  query: string,
  variables?: Record<string, unknown>,
  token?: string,
  operationName?: string,
): Promise<GraphQLResponse> {
  const { createClient } = await import('graphql-ws');
  const { default: WebSocket } = await import('ws');
  const client = createClient({
    url: wsUrl,
    webSocketImpl: WebSocket,
    retryAttempts: 0,
    connectionParams: token === undefined ? {} : { authorization: `Bearer ${token}` },
  });
  try {
    const iterator = client.iterate({ query, ...(variables ? { variables } : {}), ...(operationName ? { operationName } : {}) });
    try {
      const next = await nextWithin(iterator, `an answer to ${query.slice(0, 60)}`);
      return next.value as GraphQLResponse;
    } catch (error) {
      // graphql-ws hands request errors (parse, validation) to the client as an array.
      if (Array.isArray(error)) return { errors: error as GraphQLResponse['errors'] };
      throw error;
    }
  } finally {
    await client.dispose();
  }
}
