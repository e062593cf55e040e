/**
 * A seeded property-based fuzz (fast-check) against the started service: thousands of malformed
 * requests over HTTP and graphql-ws. Every answer is JSON with a code on every error and nothing
 * internal in it; the journal does not move; the process stays up and shuts down cleanly.
 * A failure prints its seed and the shrunk request: replay it with FUZZ_SEED=<seed>.
 */
import fc from 'fast-check';
import { createClient, type Client } from 'graphql-ws';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { expectCodedAnswer } from './support/answers.js';
import { gqlOk } from './support/graphql-http.js';
import { journalWatcher } from './support/journal-position.js';
import { type E2EStack, startE2EStack } from './support/stack.js';

const SEED = Number(process.env['FUZZ_SEED'] ?? 20261201);
const HTTP_RUNS = Number(process.env['FUZZ_HTTP_RUNS'] ?? 2000);
const WS_RUNS = Number(process.env['FUZZ_WS_RUNS'] ?? 1500);

let stack: E2EStack;
let journal: Awaited<ReturnType<typeof journalWatcher>>;
let alice: string;
let walletId: string;
let journalBefore: number;

beforeAll(async () => {
  stack = await startE2EStack();
  journal = await journalWatcher(stack.nats.url);
  alice = await stack.token('alice');
  const created = await gqlOk<{ createWallet: { walletId: string } }, Record<string, never>>(
    stack.api.graphqlUrl,
    'mutation { createWallet(input: { name: "Fuzzed" }, consistency: PROJECTED) { walletId } }',
    {},
    alice,
  );
  walletId = created.createWallet.walletId;
  journalBefore = await journal.lastSeq();
});

afterAll(async () => {
  await journal?.close();
  await stack?.stop(); // fails on any process that did not exit 0
});

// ---------------------------------------------------------------- what is sent

const DEPOSIT = 'mutation Fuzz($input: DepositInput!) { deposit(input: $input) { state code } }';
const TRANSFER = 'mutation Fuzz($input: TransferInput!) { transfer(input: $input) { state code } }';

/** Values each field of a deposit must refuse; none can pass as a valid input. */
const notAString = fc.oneof(fc.integer(), fc.double(), fc.boolean(), fc.constant(null), fc.array(fc.string(), { maxLength: 3 }), fc.object({ maxDepth: 2 }));
const longString = fc.integer({ min: 200, max: 200_000 }).map((n) => 'x'.repeat(n));
const badId = fc.oneof(notAString, longString, fc.string().filter((s) => !/^[A-Za-z0-9_-]{1,64}$/.test(s)));
const badAsset = fc.oneof(notAString, longString, fc.string().filter((s) => !/^[A-Z][A-Z0-9]{1,11}$/.test(s)));
const badAmount = fc.oneof(
  fc.integer(),
  fc.double(),
  fc.constant(null),
  longString.map((s) => s.replace(/x/g, '9')),
  fc.string().filter((s) => !/^\d+(\.\d+)?$/.test(s) || s.length > 40),
  fc.integer({ min: 1 }).map((n) => `-${n}`),
  fc.constantFrom('1e5', '0x10', '1.', '.5', ' 1', 'NaN', 'Infinity', '１'),
);
const badNetwork = fc.oneof(notAString.filter((v) => v !== null), longString, fc.string().filter((s) => !/^[a-z0-9][a-z0-9-]{0,31}$/.test(s)));
const badKey = fc.oneof(notAString.filter((v) => v !== null), fc.string().filter((s) => !/^[A-Za-z0-9._:-]{1,128}$/.test(s)));
const badDate = fc.oneof(
  notAString.filter((v) => v !== null),
  fc.constantFrom('2030-02-30T00:00:00Z', '2030-01-01T00:00Z', '2030-01-01', '2030-13-01T00:00:00Z', '2030-01-01T24:00:00Z', 'tomorrow', '1893456000000'),
  fc.string(),
);

const validDeposit = () => ({ walletId, asset: 'BTC', amount: '0.5' });
const brokenDeposit = fc.oneof(
  badId.map((walletId) => ({ ...validDeposit(), walletId })),
  badAsset.map((asset) => ({ ...validDeposit(), asset })),
  badAmount.map((amount) => ({ ...validDeposit(), amount })),
  badNetwork.map((network) => ({ ...validDeposit(), network })),
  badKey.map((idempotencyKey) => ({ ...validDeposit(), idempotencyKey })),
  fc.string({ minLength: 1 }).filter((k) => !['walletId', 'asset', 'amount', 'network', 'idempotencyKey'].includes(k)).map((k) => ({ ...validDeposit(), [k]: 1 })),
  fc.constantFrom('walletId', 'asset', 'amount').map((k) => {
    const input: Record<string, unknown> = validDeposit();
    delete input[k];
    return input;
  }),
  notAString,
);
const brokenTransfer = badDate.map((executeAt) => ({ fromWalletId: walletId, toWalletId: walletId, asset: 'BTC', amount: '1', executeAt }));

/** Documents over the limits, and documents that do not parse. */
const deep = fc.integer({ min: 7, max: 60 }).map((n) => `{ wallets { edges { node { ${'transfers { from { '.repeat(n)}id${' } }'.repeat(n)} } } } }`);
const aliased = fc.integer({ min: 21, max: 200 }).map((n) => `{ ${Array.from({ length: n }, (_, i) => `a${i}: __typename`).join(' ')} }`);
const directives = fc.integer({ min: 21, max: 200 }).map((n) => `{ ${'__typename @include(if: true) '.repeat(n)}}`);
const tokens = fc.integer({ min: 700, max: 5000 }).map((n) => `{ ${'assets { code } '.repeat(n)}}`);
const costly = fc.integer({ min: 60, max: 100 }).map((n) => `{ wallets(first: ${n}) { edges { node { transactions(first: 100) { edges { node { id } } } } } } }`);
const garbledDocument = fc
  .tuple(fc.constantFrom(DEPOSIT, TRANSFER, '{ wallets { edges { node { id } } } }'), fc.nat(), fc.string({ maxLength: 8 }), fc.nat({ max: 20 }))
  .map(([doc, at, insert, cut]) => {
    const i = at % (doc.length + 1);
    return doc.slice(0, i) + insert + doc.slice(i + cut);
  });

type Operation = Readonly<{ query?: unknown; variables?: unknown; operationName?: unknown; token?: string | undefined }>;

/** GraphQL requests that are well-formed JSON but wrong in some way; the token may be anyone's or garbage. */
const operation = (): fc.Arbitrary<Operation> =>
  fc.oneof(
    brokenDeposit.map((input) => ({ query: DEPOSIT, variables: { input }, token: alice })),
    brokenTransfer.map((input) => ({ query: TRANSFER, variables: { input }, token: alice })),
    fc.oneof(deep, aliased, directives, tokens, costly).map((query) => ({ query, token: alice })),
    // Anonymous, so a mutation the garbling left valid is refused (UNAUTHENTICATED) and moves nothing.
    garbledDocument.map((query) => ({ query, variables: { input: validDeposit() } })),
    fc.record({ query: fc.oneof(fc.string(), fc.anything()), variables: fc.anything(), operationName: fc.anything() }, { requiredKeys: [] }),
    fc.string({ maxLength: 600 }).map((token) => ({ query: DEPOSIT, variables: { input: validDeposit() }, token })),
  );

type HttpRequest = Readonly<{ contentType: string; body: string; accept: string; token?: string | undefined; csrf: boolean }>;

const accept = fc.constantFrom('application/graphql-response+json, application/json;q=0.9', 'application/json', '*/*');
const httpRequest: fc.Arbitrary<HttpRequest> = fc.oneof(
  { weight: 4, arbitrary: fc.tuple(operation(), accept).map(([op, acc]) => ({ contentType: 'application/json', body: JSON.stringify(op), accept: acc, token: op.token, csrf: false })) },
  {
    weight: 1,
    arbitrary: fc.record({
      contentType: fc.constantFrom('application/json', 'application/graphql+json', 'text/plain', 'application/x-www-form-urlencoded', 'multipart/form-data; boundary=fuzz', 'application/graphql'),
      body: fc.oneof(fc.string(), fc.json(), fc.uint8Array({ maxLength: 2000 }).map((b) => Buffer.from(b).toString('latin1'))),
      accept,
      csrf: fc.boolean(),
    }),
  },
);

async function sendHttp(request: HttpRequest) {
  const response = await fetch(stack.api.graphqlUrl, {
    method: 'POST',
    headers: {
      'content-type': request.contentType,
      accept: request.accept,
      ...(request.token === undefined ? {} : { authorization: `Bearer ${request.token}` }),
      ...(request.csrf ? { 'x-graphql-yoga-csrf': '1' } : {}),
    },
    body: request.body,
  });
  return { transport: 'HTTP', status: response.status, text: await response.text() };
}

/**
 * One operation over graphql-ws: its first result, the errors it was refused with, or (for a
 * message the protocol itself refuses, such as variables that are not an object) the 44xx close.
 */
function sendWs(client: Client, op: Operation): Promise<{ transport: string; text: string } | { closeCode: number }> {
  // The client itself refuses to send variables that are not an object: those reach the server
  // only as raw frames (the last property below).
  const variables = typeof op.variables === 'object' && op.variables !== null && !Array.isArray(op.variables) ? (op.variables as Record<string, unknown>) : undefined;
  const payload = { query: typeof op.query === 'string' ? op.query : (JSON.stringify(op.query) ?? ''), ...(variables ? { variables } : {}) };
  return new Promise((resolve) => {
    let settled = false;
    let unsubscribe = (): void => undefined;
    const settle = (value: { transport: string; text: string } | { closeCode: number }): void => {
      if (settled) return;
      settled = true;
      unsubscribe();
      resolve(value);
    };
    unsubscribe = client.subscribe(payload, {
      next: (value) => settle({ transport: 'graphql-ws', text: JSON.stringify(value) }),
      error: (error: unknown) => {
        if (Array.isArray(error)) settle({ transport: 'graphql-ws', text: JSON.stringify({ errors: error }) });
        else if (typeof (error as { code?: unknown })?.code === 'number') settle({ closeCode: (error as { code: number }).code });
        // The client refusing to send (an Error, not the server's errors or close): nothing to judge.
        else if (error instanceof Error && /message payload expects/.test(error.message)) settle({ closeCode: 0 });
        else settle({ transport: 'graphql-ws', text: `thrown: ${String(error)}` });
      },
      complete: () => settle({ transport: 'graphql-ws', text: 'completed without a result' }),
    });
  });
}

// ---------------------------------------------------------------- the properties

describe(`fuzz (seed ${SEED})`, () => {
  it(`answers ${HTTP_RUNS} malformed HTTP requests with coded errors and moves nothing`, async () => {
    await fc.assert(
      fc.asyncProperty(httpRequest, async (request) => {
        expectCodedAnswer(await sendHttp(request), JSON.stringify(request).slice(0, 300));
      }),
      { seed: SEED, numRuns: HTTP_RUNS, endOnFailure: true },
    );
    expect(await journal.lastSeq()).toBe(journalBefore);
  });

  it(`answers ${WS_RUNS} malformed graphql-ws operations with coded errors and moves nothing`, async () => {
    // graphql-ws authenticates the connection: one for alice, one anonymous, one with a bad token (refused 4403).
    const clients = new Map<string | undefined, Client>();
    const clientFor = (token: string | undefined): Client => {
      const key = token === alice ? alice : undefined;
      let client = clients.get(key);
      if (!client) {
        client = createClient({ url: stack.wsUrl, webSocketImpl: WebSocket, retryAttempts: 0, lazy: true, connectionParams: key ? { authorization: `Bearer ${key}` } : {} });
        clients.set(key, client);
      }
      return client;
    };
    try {
      await fc.assert(
        fc.asyncProperty(operation(), async (op) => {
          const answer = await sendWs(clientFor(op.token), op);
          const what = JSON.stringify(op).slice(0, 300);
          if ('closeCode' in answer) {
            // graphql-ws's own refusal of a malformed message (4400 Bad Request), or none sent (0).
            expect([0, 4400], what).toContain(answer.closeCode);
          } else {
            expectCodedAnswer(answer, what);
          }
        }),
        { seed: SEED + 1, numRuns: WS_RUNS, endOnFailure: true },
      );
    } finally {
      await Promise.all([...clients.values()].map((c) => c.dispose()));
    }
    expect(await journal.lastSeq()).toBe(journalBefore);
  });

  it('closes a socket that breaks the graphql-ws protocol with a 44xx code, and keeps serving', async () => {
    await fc.assert(
      fc.asyncProperty(fc.oneof(fc.string(), fc.json(), fc.constant('{"type":"subscribe","id":"1","payload":{"query":"{ assets { code } }"}}')), async (frame) => {
        const code = await new Promise<number>((resolve, reject) => {
          const socket = new WebSocket(stack.wsUrl, 'graphql-transport-ws');
          socket.once('open', () => socket.send(frame));
          socket.once('close', (closeCode) => resolve(closeCode));
          socket.once('error', reject);
        });
        expect(code, frame).toBeGreaterThanOrEqual(4400);
        expect(code, frame).toBeLessThan(4500);
      }),
      { seed: SEED + 2, numRuns: 100, endOnFailure: true },
    );
    const health = await fetch(`${stack.api.baseUrl}/healthz`);
    expect(health.status).toBe(200);
    expect(await journal.lastSeq()).toBe(journalBefore);
  });
});
