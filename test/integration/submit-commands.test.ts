/** submitCommands end to end: GraphQL → app → COMMANDS → processor → JOURNAL → read models, on a private nats-server and MongoDB. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MAX_BATCH_SIZE } from '../../src/app/ledger-app.js';
import { journalExtent } from '../../src/infra/nats/journal-reader.js';
import { systemIds } from '../../src/infra/system.js';
import { waitAtRest } from '../support/at-rest.js';
import { graphqlClient } from '../support/graphql-client.js';
import { readJournal } from '../support/journal.js';
import { type TestStack, startTestStack, user } from '../support/stack.js';
import { waitFor } from '../support/wait.js';

const BATCH = 'mutation($commands: [CommandInput!]!, $consistency: Consistency) { submitCommands(commands: $commands, consistency: $consistency) { commandId state code message walletId transferId } }';

type Result = { commandId: string; state: string; code: string | null; message: string | null; walletId: string | null; transferId: string | null };

describe('submitCommands against the real stack', () => {
  let stack: TestStack;
  let client: ReturnType<typeof graphqlClient>;
  let aliceToken: string;
  let alice1: string;
  let alice2: string;
  let bob1: string;

  const createWallet = async (sub: string, name: string) => {
    const outcome = await stack.app.submit({ principal: user(sub), command: { type: 'CreateWallet', data: { name } }, consistency: 'PROJECTED' });
    expect(outcome.state).toBe('ACCEPTED');
    return outcome.walletId as string;
  };
  const batch = async (commands: unknown[], consistency = 'DECIDED') => {
    const body = await client.gql(BATCH, { commands, consistency }, aliceToken);
    expect(body.errors).toBeUndefined();
    return body.data?.['submitCommands'] as Result[];
  };
  const balances = async () =>
    (await stack.app.read.balancesByWalletIds([alice1, alice2, bob1])).map((b) => `${b.walletId === bob1 ? 'bob1' : b.walletId === alice1 ? 'alice1' : 'alice2'} ${b.asset} ${b.total}/${b.reserved}`).sort();

  beforeAll(async () => {
    stack = await startTestStack();
    client = graphqlClient(stack.app);
    aliceToken = await client.token('alice');
    [alice1, alice2, bob1] = [await createWallet('alice', 'Alice 1'), await createWallet('alice', 'Alice 2'), await createWallet('bob', 'Bob 1')];
    const funded = await stack.app.submit({ principal: user('alice'), command: { type: 'Deposit', data: { walletId: alice2, asset: 'USD', amount: '100' } }, consistency: 'PROJECTED' });
    expect(funded.state).toBe('ACCEPTED');
  });
  afterAll(() => stack?.stop());

  it('decides each command on its own, answers in order, refuses the invalid and the foreign alone; a repeat has no second effect', async () => {
    const commands = [
      { deposit: { walletId: alice1, asset: 'BTC', amount: '1.5', idempotencyKey: 'b1:0' } },
      { withdraw: { walletId: alice1, asset: 'USD', amount: '1', idempotencyKey: 'b1:1' } },
      { transfer: { fromWalletId: alice2, toWalletId: bob1, asset: 'USD', amount: '25.5', idempotencyKey: 'b1:2' } },
      { deposit: { walletId: alice1, asset: 'btc', amount: '1', idempotencyKey: 'b1:3' } },
      { deposit: { walletId: bob1, asset: 'BTC', amount: '1', idempotencyKey: 'b1:4' } },
      { deposit: { walletId: 'no-such-wallet', asset: 'BTC', amount: '1', idempotencyKey: 'b1:5' } },
      { deposit: { walletId: alice2, asset: 'DOGE', amount: '1', idempotencyKey: 'b1:6' } },
      { withdraw: { walletId: alice2, asset: 'USD', amount: '0.25', network: 'fiat', idempotencyKey: 'b1:7' } },
    ];
    const first = await batch(commands);
    expect(first.map((r) => [r.state, r.code])).toEqual([
      ['ACCEPTED', null],
      ['REJECTED', 'INSUFFICIENT_FUNDS'],
      ['ACCEPTED', null],
      ['REJECTED', 'BAD_USER_INPUT'],
      ['REJECTED', 'WALLET_NOT_FOUND'],
      ['REJECTED', 'WALLET_NOT_FOUND'],
      ['REJECTED', 'UNKNOWN_ASSET'],
      ['ACCEPTED', null],
    ]);
    const [, , moved, malformed, foreign, unknown] = first as [Result, Result, Result, Result, Result, Result];
    expect(moved.transferId).toMatch(/^[0-9a-f-]{36}$/);

    // bob's wallet and the unknown one are both refused by the processor, against the journal: the answers read alike.
    const alike = (r: Result, id: string) => ({ ...r, commandId: '-', message: r.message?.replace(id, '<id>'), walletId: r.walletId === id });
    expect(alike(foreign, bob1)).toEqual(alike(unknown, 'no-such-wallet'));

    // Nothing was published for the malformed one; the others were decided, and no event carries a refused id.
    expect(await stack.app.commandStatus(malformed.commandId)).toBeNull();
    expect(await stack.app.commandStatus(foreign.commandId)).toMatchObject({ state: 'REJECTED', code: 'WALLET_NOT_FOUND' });
    expect(await stack.app.commandStatus(unknown.commandId)).toMatchObject({ state: 'REJECTED', code: 'WALLET_NOT_FOUND' });
    const atRest = await waitAtRest(stack, []);
    const refusedIds = new Set([foreign.commandId, malformed.commandId]);
    expect(atRest.filter((s) => refusedIds.has(s.event.commandId))).toEqual([]);

    const before = await balances();
    expect(before).toEqual(['alice1 BTC 1.5/0', 'alice2 USD 74.25/0', 'bob1 USD 25.5/0']);

    const again = await batch(commands, 'PROJECTED');
    expect(again).toEqual(first);
    const after = await waitAtRest(stack, []);
    expect(after).toHaveLength(atRest.length);
    expect(await balances()).toEqual(before);
  });

  it(`${MAX_BATCH_SIZE + 1} commands: a BAD_USER_INPUT error, and nothing changes`, async () => {
    const { last } = await journalExtent(stack.nats.jsm);
    const commands = Array.from({ length: MAX_BATCH_SIZE + 1 }, (_, i) => ({ deposit: { walletId: alice1, asset: 'BTC', amount: '1', idempotencyKey: `big:${i}` } }));
    const body = await client.gql(BATCH, { commands }, aliceToken);
    expect(body.errors?.map((e) => e.extensions?.['code'])).toEqual(['BAD_USER_INPUT']);
    expect(body.data ?? null).toBeNull();
    expect(await stack.app.commandStatus(systemIds.derive('idempotency:alice:big:0'))).toBeNull();
    expect((await journalExtent(stack.nats.jsm)).last).toBe(last);
  });

  it(`${MAX_BATCH_SIZE} deposits in one request are each decided, exactly once`, async () => {
    // 0.0001, 0.0002 … 0.1 ETH: any lost or doubled deposit shows in the sums.
    const commands = Array.from({ length: MAX_BATCH_SIZE }, (_, i) => ({
      deposit: { walletId: i % 2 === 0 ? alice2 : alice1, asset: 'ETH', amount: `0.${String(i + 1).padStart(4, '0')}`, idempotencyKey: `eth:${i}` },
    }));
    const results = await batch(commands);
    expect(results).toHaveLength(MAX_BATCH_SIZE);
    // DECIDED waits at most as long as one command would; on a busy machine the tail may still be queued.
    expect(results.every((r) => r.state === 'ACCEPTED' || r.state === 'QUEUED')).toBe(true);
    await waitFor(
      async () => {
        for (const r of results) if (r.state === 'QUEUED') r.state = (await stack.app.commandStatus(r.commandId))?.state ?? 'QUEUED';
        return results.every((r) => r.state === 'ACCEPTED');
      },
      { timeoutMs: 60_000, message: 'every deposit decided' },
    );
    const journal = await readJournal(stack.nats);
    const ids = new Set(results.map((r) => r.commandId));
    const events = journal.filter((s) => ids.has(s.event.commandId));
    expect(events).toHaveLength(MAX_BATCH_SIZE);
    // The journal's own answer, without waiting for 1,000 ledger entries to be projected.
    const eth = async (walletId: string) => {
      const state = await stack.app.walletAsOf({ principal: user('alice'), walletId, cut: { kind: 'at', at: new Date(Date.now() + 60_000) } });
      return state?.balances.find((b) => b.asset === 'ETH')?.total;
    };
    // Even positions (1, 3, 5 … 999 ten-thousandths) to alice2, odd (2, 4 … 1000) to alice1.
    expect([await eth(alice2), await eth(alice1)]).toEqual(['25', '25.05']);
  });
});
