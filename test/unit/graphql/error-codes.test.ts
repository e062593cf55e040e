/**
 * Every error carries extensions.code, the same over HTTP and graphql-ws; request errors answer
 * 400 under application/graphql-response+json and 200 under application/json; nothing the client
 * sent comes back in an error, and no originalError or stack unless debugging is asked for.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DOCUMENT_LIMITS } from '../../../src/graphql/document-limits.js';
import { codes, createHarness, overWebSocket, serveHarness, type GraphQLResponse, type Harness } from './harness.js';

let h: Harness;
let served: Awaited<ReturnType<typeof serveHarness>>;
beforeAll(async () => {
  h = await createHarness();
  served = await serveHarness(h);
});
afterAll(() => served.server.close());

const SPEC = 'application/graphql-response+json, application/json;q=0.9';
const JSON_ONLY = 'application/json';
/** A value no message may repeat: long, and unlike anything in the schema. */
const MARKER = `zz${'q'.repeat(80)}zz`;

async function post(body: string, accept: string, token?: string) {
  const response = await h.yoga.fetch('http://jetledger.test/graphql', {
    method: 'POST',
    headers: { 'content-type': 'application/json', accept, ...(token ? { authorization: `Bearer ${token}` } : {}) },
    body,
  });
  const text = await response.text();
  return { status: response.status, text, body: JSON.parse(text) as GraphQLResponse };
}

const request = (query: string, variables?: Record<string, unknown>) => JSON.stringify({ query, variables });
const DEPOSIT = 'mutation($input: DepositInput!) { deposit(input: $input) { state } }';
const input = (over: Record<string, unknown>) => ({ walletId: 'wallet-a1', asset: 'BTC', amount: '1', ...over });

type Case = { name: string; query: string; variables?: Record<string, unknown>; code: string };
const cases: Case[] = [
  { name: 'a built-in scalar variable of the wrong type', query: DEPOSIT, variables: { input: input({ asset: 12 }) }, code: 'BAD_USER_INPUT' },
  { name: 'an amount variable that is a number', query: DEPOSIT, variables: { input: input({ amount: 1.5 }) }, code: 'BAD_USER_INPUT' },
  { name: 'a long string where a Decimal goes', query: DEPOSIT, variables: { input: input({ amount: MARKER }) }, code: 'BAD_USER_INPUT' },
  { name: 'an unknown input field', query: DEPOSIT, variables: { input: input({ [MARKER]: 1 }) }, code: 'BAD_USER_INPUT' },
  { name: 'a missing variable', query: DEPOSIT, code: 'BAD_USER_INPUT' },
  { name: 'an enum variable that is no value of it', query: 'mutation($c: Consistency) { createWallet(input: { name: "x" }, consistency: $c) { state } }', variables: { c: MARKER }, code: 'BAD_USER_INPUT' },
  { name: 'a literal of the wrong type', query: `{ wallet(id: "wallet-a1") { balance(asset: 5) { total } } }`, code: 'BAD_USER_INPUT' },
  { name: 'a literal long string for an Int', query: `{ wallets(first: "${MARKER}") { edges { cursor } } }`, code: 'BAD_USER_INPUT' },
  { name: 'a DateTime that is no calendar day', query: 'mutation { rescheduleTransfer(input: { transferId: "transfer-2", executeAt: "2030-02-30T00:00:00Z" }) { state } }', code: 'BAD_USER_INPUT' },
  { name: 'a syntax error', query: `{ wallet(id: "${MARKER}" `, code: 'GRAPHQL_PARSE_FAILED' },
  { name: 'an unknown field', query: '{ nope }', code: 'GRAPHQL_VALIDATION_FAILED' },
  { name: 'an unknown operation name', query: 'query A { assets { code } }', code: 'OPERATION_RESOLUTION_FAILURE' },
  { name: 'too deep', query: `{ wallet(id: "wallet-a1") { ${'transfers { from { '.repeat(6)}id${' } }'.repeat(6)} } }`, code: 'DEPTH_LIMIT_EXCEEDED' },
  { name: 'too many aliases', query: `{ ${Array.from({ length: 21 }, (_, i) => `a${i}: assets { code }`).join(' ')} }`, code: 'ALIAS_LIMIT_EXCEEDED' },
  { name: 'too many directives', query: `{ ${'__typename @include(if: true) '.repeat(21)}}`, code: 'DIRECTIVE_LIMIT_EXCEEDED' },
  { name: 'too costly', query: '{ wallets(first: 100) { edges { node { transactions(first: 100) { edges { node { id amount } } } } } } }', code: 'COST_LIMIT_EXCEEDED' },
  { name: 'too many tokens', query: `{ ${'assets { code } '.repeat(Math.ceil(DOCUMENT_LIMITS.tokens / 4) + 1)} }`, code: 'TOKEN_LIMIT_EXCEEDED' },
];

describe.each(cases)('$name', ({ query, variables, code }) => {
  const body = JSON.stringify({ query, variables, ...(query.startsWith('query A') ? { operationName: 'B' } : {}) });

  it(`answers ${code}: 400 for application/graphql-response+json, 200 for application/json`, async () => {
    const spec = await post(body, SPEC, h.tokens.alice);
    const json = await post(body, JSON_ONLY, h.tokens.alice);
    expect([spec.status, codes(spec.body)[0]]).toEqual([400, code]);
    expect([json.status, codes(json.body)[0]]).toEqual([200, code]);
    for (const answer of [spec, json]) {
      expect(codes(answer.body).every((c) => c === code), answer.text).toBe(true);
      expect(answer.text).not.toContain(MARKER);
      expect(answer.text).not.toMatch(/originalError|stack/);
      expect(answer.body.data ?? null).toBeNull();
    }
  });

  it(`answers ${code} over graphql-ws too`, async () => {
    const answer = await overWebSocket(served.wsUrl, query, variables, h.tokens.alice, query.startsWith('query A') ? 'B' : undefined);
    expect(codes(answer)[0]).toBe(code);
    expect(JSON.stringify(answer)).not.toContain(MARKER);
    expect(JSON.stringify(answer)).not.toMatch(/originalError|"http"/);
  });
});

describe('requests that are not GraphQL', () => {
  it('answers 1 MB of garbage in a few hundred bytes: BAD_REQUEST, 400, nothing echoed', async () => {
    const garbage = `${MARKER}${'x'.repeat(1_000_000)}`;
    for (const accept of [SPEC, JSON_ONLY]) {
      const answer = await post(garbage, accept);
      expect([answer.status, codes(answer.body)]).toEqual([400, ['BAD_REQUEST']]);
      expect(answer.text.length).toBeLessThan(300);
      expect(answer.text).not.toContain('xxxxxxxxxx');
      expect(answer.text).not.toMatch(/originalError|stack/);
    }
  });

  it('answers a content type no parser takes with BAD_REQUEST as JSON (415), not an empty body', async () => {
    const response = await h.yoga.fetch('http://jetledger.test/graphql', {
      method: 'POST',
      headers: { 'content-type': 'text/xml', accept: SPEC, 'x-graphql-yoga-csrf': '1' },
      body: '<query/>',
    });
    expect([response.status, codes((await response.json()) as GraphQLResponse)]).toEqual([415, ['BAD_REQUEST']]);
  });

  it('refuses a body over 1 MiB with REQUEST_ENTITY_TOO_LARGE (413)', async () => {
    const answer = await post(request('{ assets { code } }', { pad: 'p'.repeat(1_100_000) }), SPEC);
    expect([answer.status, codes(answer.body)]).toEqual([413, ['REQUEST_ENTITY_TOO_LARGE']]);
  });

  it('codes a GET without a query and a mutation over GET', async () => {
    const empty = await h.yoga.fetch('http://jetledger.test/graphql?x=1', { headers: { accept: JSON_ONLY, 'x-graphql-yoga-csrf': '1' } });
    expect(codes((await empty.json()) as GraphQLResponse)).toEqual(['BAD_REQUEST']);
    const mutation = await h.yoga.fetch(`http://jetledger.test/graphql?query=${encodeURIComponent('mutation { createWallet(input: { name: "x" }) { state } }')}`, {
      headers: { accept: JSON_ONLY, 'x-graphql-yoga-csrf': '1' },
    });
    expect(codes((await mutation.json()) as GraphQLResponse)[0]).toBeDefined();
  });
});

describe('unexpected failures', () => {
  it('are masked as INTERNAL_SERVER_ERROR without originalError or stack, even with NODE_ENV=development', async () => {
    const previous = process.env['NODE_ENV'];
    process.env['NODE_ENV'] = 'development';
    try {
      const local = await createHarness();
      local.app.read.walletsByIds = async () => {
        throw new Error(`database password is hunter2 ${MARKER}`);
      };
      const { body } = await local.gql('{ wallet(id: "wallet-a1") { name } }', undefined, local.tokens.alice);
      expect(codes(body)).toEqual(['INTERNAL_SERVER_ERROR']);
      expect(JSON.stringify(body)).not.toMatch(/hunter2|originalError|stack/);
      expect(local.logger.errors.length).toBeGreaterThan(0);
    } finally {
      process.env['NODE_ENV'] = previous;
    }
  });

  it('show their cause only when debugErrors is set', async () => {
    const local = await createHarness(undefined, { debugErrors: true });
    local.app.read.walletsByIds = async () => {
      throw new Error('the cause');
    };
    const { body } = await local.gql('{ wallet(id: "wallet-a1") { name } }', undefined, local.tokens.alice);
    expect(codes(body)).toEqual(['INTERNAL_SERVER_ERROR']);
    expect(JSON.stringify(body.errors?.[0]?.extensions?.['originalError'])).toContain('the cause');
  });
});
