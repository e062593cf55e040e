/** Mutations per user: a token bucket; over the limit RATE_LIMITED with retryAfter, over HTTP and graphql-ws. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTokenBuckets } from '../../../src/graphql/rate-limit.js';
import { createTokenVerifier, signToken } from '../../../src/infra/auth/jwt.js';
import { createGraphQLHandler } from '../../../src/graphql/server.js';
import { createFakeLedgerApp } from '../../support/fake-ledger-app.js';
import { codes, overWebSocket, recordingLogger, SECRET, serveHarness, type GraphQLResponse, type Harness } from './harness.js';

describe('the token bucket', () => {
  it('lets a user burst up to the limit, then one more per 60/limit seconds, and says how long to wait', () => {
    let now = 0;
    const buckets = createTokenBuckets({ perMinute: 3, now: () => now });
    expect([buckets.take('alice'), buckets.take('alice'), buckets.take('alice')].every((r) => r.ok)).toBe(true);
    expect(buckets.take('alice')).toEqual({ ok: false, retryAfterSeconds: 20 });
    expect(buckets.take('bob')).toEqual({ ok: true });
    now = 19_000;
    expect(buckets.take('alice')).toEqual({ ok: false, retryAfterSeconds: 1 });
    now = 20_000;
    expect(buckets.take('alice')).toEqual({ ok: true });
    expect(buckets.take('alice')).toMatchObject({ ok: false });
  });

  it('never holds more than the limit, however long a user was away', () => {
    let now = 0;
    const buckets = createTokenBuckets({ perMinute: 2, now: () => now });
    now = 3_600_000;
    expect([buckets.take('a'), buckets.take('a'), buckets.take('a')].map((r) => r.ok)).toEqual([true, true, false]);
  });

  it('charges a cost, and refuses one larger than the whole bucket', () => {
    const buckets = createTokenBuckets({ perMinute: 5, now: () => 0 });
    expect(buckets.take('a', 4)).toEqual({ ok: true });
    expect(buckets.take('a', 2)).toMatchObject({ ok: false });
    expect(buckets.take('b', 6)).toMatchObject({ ok: false });
  });

  it('forgets full buckets when it tracks too many users', () => {
    let now = 0;
    const buckets = createTokenBuckets({ perMinute: 60, now: () => now, maxUsers: 10 });
    for (let i = 0; i < 10; i++) buckets.take(`user-${i}`);
    now = 60_000;
    buckets.take('one-more');
    expect(buckets.size()).toBe(1);
  });
});

describe('over the API', () => {
  const LIMIT = 3;
  let h: Pick<Harness, 'yoga' | 'handler'>;
  let served: Awaited<ReturnType<typeof serveHarness>>;
  const token = (sub: string) => signToken({ secret: SECRET, sub, admin: false, ttl: '1h' });
  const app = createFakeLedgerApp();
  beforeAll(async () => {
    const handler = createGraphQLHandler({ app, verifyToken: createTokenVerifier({ secret: SECRET }), logger: recordingLogger(), mutationsPerMinute: LIMIT });
    h = { yoga: handler.yoga, handler };
    served = await serveHarness(h as Harness);
  });
  afterAll(() => served.server.close());

  const MUTATION = 'mutation { createWallet(input: { name: "x" }) { state } }';
  const post = async (query: string, bearer: string, accept = 'application/graphql-response+json, application/json;q=0.9') => {
    const response = await h.yoga.fetch('http://jetledger.test/graphql', {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept, authorization: `Bearer ${bearer}` },
      body: JSON.stringify({ query }),
    });
    return { status: response.status, retryAfter: response.headers.get('retry-after'), body: (await response.json()) as GraphQLResponse };
  };

  it('answers RATE_LIMITED with retryAfter and a Retry-After header past the limit; queries and other users go on', async () => {
    const carol = await token('carol');
    for (let i = 0; i < LIMIT; i++) expect((await post(MUTATION, carol)).body.data?.['createWallet']).toEqual({ state: 'ACCEPTED' });
    const submitted = app.submitted.length;

    const limited = await post(MUTATION, carol);
    expect(limited.status).toBe(429);
    expect(codes(limited.body)).toEqual(['RATE_LIMITED']);
    const retryAfter = limited.body.errors?.[0]?.extensions?.['retryAfter'] as number;
    expect(retryAfter).toBeGreaterThanOrEqual(1);
    expect(retryAfter).toBeLessThanOrEqual(60 / LIMIT);
    expect(limited.retryAfter).toBe(String(retryAfter));
    expect(app.submitted.length).toBe(submitted);

    const asJson = await post(MUTATION, carol, 'application/json');
    expect([asJson.status, codes(asJson.body), asJson.retryAfter]).toEqual([200, ['RATE_LIMITED'], expect.stringMatching(/^\d+$/)]);

    expect((await post('{ assets { code } }', carol)).body.errors).toBeUndefined();
    expect((await post(MUTATION, await token('dave'))).body.data?.['createWallet']).toEqual({ state: 'ACCEPTED' });
  });

  it('counts every root mutation field and applies over graphql-ws too', async () => {
    const erin = await token('erin');
    const three = `mutation { a: createWallet(input: { name: "a" }) { state } b: createWallet(input: { name: "b" }) { state } c: createWallet(input: { name: "c" }) { state } }`;
    expect((await post(three, erin)).body.errors).toBeUndefined();
    const answer = await overWebSocket(served.wsUrl, MUTATION, undefined, erin);
    expect(codes(answer)).toEqual(['RATE_LIMITED']);
    expect(answer.errors?.[0]?.extensions?.['retryAfter']).toBeGreaterThanOrEqual(1);
  });
});
