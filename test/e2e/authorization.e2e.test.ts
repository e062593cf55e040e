/**
 * The authorization matrix against the started service: every operation on alice's wallet,
 * transfer and command, by callers who may not touch them (no token, a bad signature, an expired
 * token, alg:none, no subject, another user, a non-admin dressed as an admin), over HTTP, SSE and
 * graphql-ws. Each is denied, someone else's objects answer like unknown ids, and nothing changes:
 * the journal does not move. Last, a token that expires during a subscription ends it.
 */
import { SignJWT } from 'jose';
import { type Client, createClient } from 'graphql-ws';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { signToken } from '../../src/infra/auth/jwt.js';
import { waitFor } from '../support/wait.js';
import { gql, gqlOk, type GraphQLError } from './support/graphql-http.js';
import { journalWatcher } from './support/journal-position.js';
import { sseSubscribe } from './support/sse.js';
import { type E2EStack, startE2EStack } from './support/stack.js';

let stack: E2EStack;
let journal: Awaited<ReturnType<typeof journalWatcher>>;
let journalBefore: number;
let alice: string;
const ids = { wallet: '', savings: '', transfer: '', entry: '', command: '' };
const tokens: Record<Caller, string | undefined> = {} as Record<Caller, string | undefined>;

type Caller = 'no token' | 'bad signature' | 'expired' | 'alg:none' | 'no sub' | 'another user' | 'non-admin';
const CALLERS: Caller[] = ['no token', 'bad signature', 'expired', 'alg:none', 'no sub', 'another user', 'non-admin'];
/** Callers whose token is no token at all: anonymous over HTTP and SSE, refused at connect (4403) over graphql-ws. */
const invalid = (caller: Caller): boolean => !['another user', 'non-admin'].includes(caller);

const b64 = (value: unknown): string => Buffer.from(JSON.stringify(value)).toString('base64url');

beforeAll(async () => {
  stack = await startE2EStack();
  journal = await journalWatcher(stack.nats.url);
  alice = await stack.token('alice');
  const url = stack.api.graphqlUrl;
  const wallet = async (name: string) =>
    (await gqlOk<{ createWallet: { walletId: string } }, { name: string }>(url, 'mutation($name: String!) { createWallet(input: { name: $name }, consistency: PROJECTED) { walletId } }', { name }, alice)).createWallet.walletId;
  ids.wallet = await wallet('Alice main');
  ids.savings = await wallet('Alice savings');
  const deposit = await gqlOk<{ deposit: { commandId: string } }, { id: string }>(url, 'mutation($id: ID!) { deposit(input: { walletId: $id, asset: "BTC", amount: "2" }, consistency: PROJECTED) { commandId } }', { id: ids.wallet }, alice);
  ids.command = deposit.deposit.commandId;
  const executeAt = new Date(Date.now() + 86_400_000).toISOString();
  const transfer = await gqlOk<{ transfer: { transferId: string } }, Record<string, string>>(
    url,
    'mutation($from: ID!, $to: ID!, $at: DateTime!) { transfer(input: { fromWalletId: $from, toWalletId: $to, asset: "BTC", amount: "0.5", executeAt: $at }, consistency: PROJECTED) { transferId } }',
    { from: ids.wallet, to: ids.savings, at: executeAt },
    alice,
  );
  ids.transfer = transfer.transfer.transferId;
  const entries = await gqlOk<{ wallet: { transactions: { edges: Array<{ node: { id: string } }> } } }, { id: string }>(url, 'query($id: ID!) { wallet(id: $id) { transactions(first: 1) { edges { node { id } } } } }', { id: ids.wallet }, alice);
  ids.entry = entries.wallet.transactions.edges[0]!.node.id;

  const key = new TextEncoder().encode(stack.secret);
  const exp = Math.floor(Date.now() / 1000) + 3600;
  tokens['no token'] = undefined;
  tokens['bad signature'] = await signToken({ secret: `${stack.secret}-not-quite`, sub: 'alice', admin: true, ttl: '1h' });
  tokens['expired'] = await signToken({ secret: stack.secret, sub: 'alice', admin: true, ttl: -60 });
  tokens['alg:none'] = `${b64({ alg: 'none', typ: 'JWT' })}.${b64({ sub: 'alice', roles: ['admin'], exp })}.`;
  tokens['no sub'] = await new SignJWT({ roles: ['admin'] }).setProtectedHeader({ alg: 'HS256' }).setExpirationTime('1h').sign(key);
  tokens['another user'] = await stack.token('mallory');
  tokens['non-admin'] = await new SignJWT({ roles: 'admin', admin: true }).setProtectedHeader({ alg: 'HS256' }).setSubject('mallory').setExpirationTime('1h').sign(key);

  journalBefore = await journal.lastSeq();
});

afterAll(async () => {
  await journal?.close();
  await stack?.stop();
});

// ---------------------------------------------------------------- operations and what a stranger gets

/** What a valid token that is not alice's (nor an admin's) must get. */
type Denial =
  | { kind: 'null'; field: string } // as for an unknown id: null, no error
  | { kind: 'rejected'; field: string; code: string } // the processor refuses, as for an unknown wallet
  | { kind: 'error'; code: string } // refused with this code
  | { kind: 'not listed' } // wallets: alice's are not among the caller's
  | { kind: 'silent' }; // commandStatus subscription: no event, as for an unknown command

type Operation = Readonly<{ name: string; query: () => string; denial: Denial }>;

const OPERATIONS: Operation[] = [
  { name: 'wallet', query: () => `{ wallet(id: "${ids.wallet}") { id name } }`, denial: { kind: 'null', field: 'wallet' } },
  { name: 'wallets', query: () => '{ wallets { edges { node { id } } } }', denial: { kind: 'not listed' } },
  { name: 'transfer', query: () => `{ transfer(id: "${ids.transfer}") { id } }`, denial: { kind: 'null', field: 'transfer' } },
  { name: 'node (wallet)', query: () => `{ node(id: "${ids.wallet}") { id } }`, denial: { kind: 'null', field: 'node' } },
  { name: 'node (entry)', query: () => `{ node(id: "${ids.entry}") { id } }`, denial: { kind: 'null', field: 'node' } },
  { name: 'commandStatus', query: () => `{ commandStatus(id: "${ids.command}") { state } }`, denial: { kind: 'null', field: 'commandStatus' } },
  { name: 'updateWallet', query: () => `mutation { updateWallet(input: { walletId: "${ids.wallet}", name: "mine" }) { state code } }`, denial: { kind: 'rejected', field: 'updateWallet', code: 'WALLET_NOT_FOUND' } },
  { name: 'closeWallet', query: () => `mutation { closeWallet(input: { walletId: "${ids.savings}" }) { state code } }`, denial: { kind: 'rejected', field: 'closeWallet', code: 'WALLET_NOT_FOUND' } },
  { name: 'deposit', query: () => `mutation { deposit(input: { walletId: "${ids.wallet}", asset: "BTC", amount: "1" }) { state code } }`, denial: { kind: 'rejected', field: 'deposit', code: 'WALLET_NOT_FOUND' } },
  { name: 'withdraw', query: () => `mutation { withdraw(input: { walletId: "${ids.wallet}", asset: "BTC", amount: "1" }) { state code } }`, denial: { kind: 'rejected', field: 'withdraw', code: 'WALLET_NOT_FOUND' } },
  { name: 'transfer (out of alice)', query: () => `mutation { transfer(input: { fromWalletId: "${ids.wallet}", toWalletId: "${ids.savings}", asset: "BTC", amount: "1" }) { state code } }`, denial: { kind: 'rejected', field: 'transfer', code: 'WALLET_NOT_FOUND' } },
  { name: 'cancelTransfer', query: () => `mutation { cancelTransfer(input: { transferId: "${ids.transfer}" }) { state } }`, denial: { kind: 'error', code: 'NOT_FOUND' } },
  { name: 'rescheduleTransfer', query: () => `mutation { rescheduleTransfer(input: { transferId: "${ids.transfer}", executeAt: "2031-01-01T00:00:00Z" }) { state } }`, denial: { kind: 'error', code: 'NOT_FOUND' } },
  { name: 'registerAsset', query: () => 'mutation { registerAsset(input: { code: "MAL", decimals: 2, networks: ["mallory"] }) { state } }', denial: { kind: 'error', code: 'FORBIDDEN' } },
];

const SUBSCRIPTIONS: Operation[] = [
  { name: 'balanceChanged', query: () => `subscription { balanceChanged(walletId: "${ids.wallet}") { total } }`, denial: { kind: 'error', code: 'NOT_FOUND' } },
  { name: 'walletActivity', query: () => `subscription { walletActivity(walletId: "${ids.wallet}") { id } }`, denial: { kind: 'error', code: 'NOT_FOUND' } },
  { name: 'transferUpdated', query: () => `subscription { transferUpdated(transferId: "${ids.transfer}") { status } }`, denial: { kind: 'error', code: 'NOT_FOUND' } },
  { name: 'commandStatus', query: () => `subscription { commandStatus(id: "${ids.command}") { state } }`, denial: { kind: 'silent' } },
];

type Result = { data?: Record<string, unknown> | null; errors?: GraphQLError[] };

function expectDenied(caller: Caller, op: Operation, result: Result, transport: string): void {
  const what = `${caller} × ${op.name} over ${transport}: ${JSON.stringify(result).slice(0, 300)}`;
  const codes = (result.errors ?? []).map((e) => e.extensions?.code);
  if (invalid(caller)) {
    expect(codes, what).toEqual(['UNAUTHENTICATED']);
    return;
  }
  const { denial } = op;
  switch (denial.kind) {
    case 'null':
      expect(result, what).toEqual({ data: { [denial.field]: null } });
      return;
    case 'rejected':
      expect(codes, what).toEqual([]);
      expect(result.data?.[denial.field], what).toEqual({ state: 'REJECTED', code: denial.code });
      return;
    case 'error':
      expect(codes, what).toEqual([denial.code]);
      return;
    case 'not listed':
      expect(codes, what).toEqual([]);
      expect(JSON.stringify(result.data), what).not.toContain(ids.wallet);
      return;
    case 'silent':
      throw new Error(`${what}: a silent denial is checked by the caller`);
  }
}

// ---------------------------------------------------------------- transports

describe.each(CALLERS)('%s', (caller) => {
  it('is denied every query and mutation over HTTP', async () => {
    for (const op of OPERATIONS) {
      const result = await gql<Record<string, unknown>, Record<string, never>>(stack.api.graphqlUrl, op.query(), {}, tokens[caller]);
      expect(result.status, `${caller} × ${op.name}`).toBe(200);
      expectDenied(caller, op, { data: result.data ?? null, ...(result.errors ? { errors: result.errors } : {}) }, 'HTTP');
    }
  });

  it('is denied every subscription over SSE', async () => {
    for (const op of SUBSCRIPTIONS) {
      const stream = await sseSubscribe<Record<string, unknown>, Record<string, never>>(stack.api.graphqlUrl, op.query(), {}, tokens[caller]);
      try {
        if (op.denial.kind === 'silent' && !invalid(caller)) {
          await expectSilent(() => stream.events.length + stream.errors.length, caller, op);
          expect(stream.ended, `${caller} × ${op.name}: still open, like an unknown id`).toBeUndefined();
          continue;
        }
        const answer = await stream.firstAnswer(`${caller} × ${op.name}`);
        expect(answer.events, `${caller} × ${op.name}`).toEqual([]);
        expectDenied(caller, op, { data: null, errors: answer.errors[0] ?? [] }, 'SSE');
      } finally {
        stream.close();
      }
    }
  });

  it('is denied everything over graphql-ws (a bad token is refused at connect: 4403)', async () => {
    let closed: number | undefined;
    const client = createClient({
      url: stack.wsUrl,
      webSocketImpl: WebSocket,
      retryAttempts: 0,
      connectionParams: tokens[caller] === undefined ? {} : { authorization: `Bearer ${tokens[caller]}` },
      on: { closed: (event) => (closed = (event as { code: number }).code) },
    });
    try {
      for (const op of [...OPERATIONS, ...SUBSCRIPTIONS]) {
        const outcome = await firstOverWs(client, op.query(), op.denial.kind === 'silent' && !invalid(caller));
        const what = `${caller} × ${op.name} over graphql-ws`;
        if (invalid(caller) && caller !== 'no token') {
          expect(outcome, what).toEqual({ closed: 4403 });
          expect(closed, what).toBe(4403);
        } else if (op.denial.kind === 'silent' && !invalid(caller)) {
          expect(outcome, what).toEqual({ silent: true });
        } else {
          expect('result' in outcome, `${what}: ${JSON.stringify(outcome)}`).toBe(true);
          expectDenied(caller, op, (outcome as { result: Result }).result, 'graphql-ws');
        }
      }
    } finally {
      await client.dispose();
    }
  });
});

/**
 * The first thing one operation gets over graphql-ws. A silent subscription is told apart from a
 * slow one by the owner: alice's identical subscription answers at once, so a stranger's that has
 * said nothing by then, nor after a further round trip on its own connection, is silent.
 */
async function firstOverWs(client: Client, query: string, silent: boolean): Promise<{ result: Result } | { closed: number } | { silent: true }> {
  let stop = (): void => undefined;
  const outcome = new Promise<{ result: Result } | { closed: number }>((resolve) => {
    stop = client.subscribe<Record<string, unknown>>(
      { query },
      {
        next: (value) => {
          stop();
          resolve({ result: value as Result });
        },
        error: (error: unknown) => {
          if (Array.isArray(error)) resolve({ result: { errors: error as GraphQLError[] } });
          else resolve({ closed: (error as { code?: number }).code ?? -1 });
        },
        complete: () => resolve({ result: {} }),
      },
    );
  });
  if (!silent) return outcome;
  const heard = await Promise.race([outcome, ownerAnswers(query).then(() => roundTrip(client)).then(() => null)]);
  stop();
  return heard ?? { silent: true };
}

async function ownerAnswers(query: string): Promise<void> {
  const owner = createClient({ url: stack.wsUrl, webSocketImpl: WebSocket, retryAttempts: 0, connectionParams: { authorization: `Bearer ${alice}` } });
  try {
    const iterator = owner.iterate({ query });
    expect((await iterator.next()).value).toMatchObject({ data: { commandStatus: { state: 'ACCEPTED' } } });
    await iterator.return?.();
  } finally {
    await owner.dispose();
  }
}

async function roundTrip(client: Client): Promise<void> {
  const iterator = client.iterate({ query: '{ assets { code } }' });
  await iterator.next().catch(() => undefined);
  await iterator.return?.();
}

/** SSE: the stranger's commandStatus stream stays quiet while alice's answers. */
async function expectSilent(heard: () => number, caller: Caller, op: Operation): Promise<void> {
  const owner = await sseSubscribe<Record<string, unknown>, Record<string, never>>(stack.api.graphqlUrl, op.query(), {}, alice);
  try {
    await owner.atLeast(1, 'alice’s own commandStatus');
    await gqlOk(stack.api.graphqlUrl, '{ assets { code } }', {}, tokens[caller]);
    expect(heard(), `${caller} × ${op.name} over SSE: silent like an unknown id`).toBe(0);
  } finally {
    owner.close();
  }
}

describe('after all of that', () => {
  it('nothing changed: the journal did not move and alice’s wallet is as she left it', async () => {
    expect(await journal.lastSeq()).toBe(journalBefore);
    const { wallet } = await gqlOk<{ wallet: { name: string; balances: Array<{ total: string; reserved: string }> } }, { id: string }>(
      stack.api.graphqlUrl,
      'query($id: ID!) { wallet(id: $id) { name balances { total reserved } } }',
      { id: ids.wallet },
      alice,
    );
    expect(wallet).toEqual({ name: 'Alice main', balances: [{ total: '2', reserved: '0.5' }] });
  });
});

describe('a token that expires during a subscription', () => {
  it('ends it: graphql-ws closes with 4403, SSE sends TOKEN_EXPIRED and completes', async () => {
    const shortLived = await signToken({ secret: stack.secret, sub: 'alice', admin: false, ttl: 2 });
    const query = `subscription { balanceChanged(walletId: "${ids.wallet}") { total } }`;

    let closed: { code: number; reason: string } | undefined;
    const events: unknown[] = [];
    const client = createClient({
      url: stack.wsUrl,
      webSocketImpl: WebSocket,
      retryAttempts: 0,
      connectionParams: { authorization: `Bearer ${shortLived}` },
      on: { closed: (event) => (closed = event as { code: number; reason: string }) },
    });
    client.subscribe({ query }, { next: (value) => void events.push(value), error: () => undefined, complete: () => undefined });
    const sse = await sseSubscribe<Record<string, unknown>, Record<string, never>>(stack.api.graphqlUrl, query, {}, shortLived);
    try {
      await sse.atLeast(1, 'the current balance over SSE');
      await waitFor(() => events.length >= 1, { message: 'the current balance over graphql-ws' });
      await waitFor(() => closed, { timeoutMs: 5_000, message: 'graphql-ws to close at the expiry' });
      expect(closed).toMatchObject({ code: 4403, reason: 'Token expired' });
      await waitFor(() => sse.ended, { timeoutMs: 5_000, message: 'the SSE stream to end at the expiry' });
      expect(sse.errors.flat().map((e) => e.extensions?.code)).toEqual(['TOKEN_EXPIRED']);
      expect(events).toHaveLength(1);
    } finally {
      sse.close();
      await client.dispose();
    }
  });
});
