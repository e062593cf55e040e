/** Wallet.asOf over the in-memory app, whose time travel folds a seeded journal with the real code. */
import { beforeEach, describe, expect, it } from 'vitest';
import { aliceHistory, minutes, walletJournal } from '../../support/wallet-events.js';
import { codes, createHarness, standardSeed, type Harness } from './harness.js';

let h: Harness;
beforeEach(async () => {
  const journal = [...aliceHistory('wallet-a1'), ...walletJournal('wallet-b1', [[0, { type: 'WalletCreated', data: { ownerId: 'bob', name: 'Bob main' } }]], 100)];
  h = await createHarness({ ...standardSeed(), journal });
});

const STATE = '{ walletId name status version occurredAt balances { walletId asset total reserved available version updatedAt } }';
const asOf = (args: string, walletId = 'wallet-a1', token = h.tokens.alice) =>
  h.gql(`{ wallet(id: "${walletId}") { name asOf(${args}) ${STATE} } }`, undefined, token);

describe('Wallet.asOf', () => {
  it('rebuilds the whole wallet at an instant from the journal, not from the read models', async () => {
    const { body } = await asOf(`at: "${minutes(3).toISOString()}"`);
    expect(body.errors).toBeUndefined();
    expect(body.data?.['wallet']).toEqual({
      // The read model's name; asOf folds the journal, where the wallet was renamed.
      name: 'Alice main',
      asOf: {
        walletId: 'wallet-a1',
        name: 'Renamed',
        status: 'ACTIVE',
        version: 5,
        occurredAt: '2030-01-01T00:03:00.000Z',
        balances: [
          { walletId: 'wallet-a1', asset: 'BTC', total: '1.5', reserved: '0.5', available: '1', version: 4, updatedAt: '2030-01-01T00:03:00.000Z' },
          { walletId: 'wallet-a1', asset: 'ETH', total: '10.000000000000000001', reserved: '0', available: '10.000000000000000001', version: 5, updatedAt: '2030-01-01T00:03:00.000Z' },
        ],
      },
    });
  });

  it('after a version, up to the close', async () => {
    const { body } = await h.gql('{ wallet(id: "wallet-a1") { v2: asOf(version: 2) { name version balances { total } } v9: asOf(version: 9) { status version } } }', undefined, h.tokens.alice);
    expect(body.data?.['wallet']).toEqual({ v2: { name: 'Main', version: 2, balances: [{ total: '1.5' }] }, v9: { status: 'CLOSED', version: 9 } });
  });

  it('is null before the wallet existed and for a version it has not reached', async () => {
    const { body } = await h.gql(
      `{ wallet(id: "wallet-a1") { before: asOf(at: "2029-12-31T23:59:59.999Z") { version } v0: asOf(version: 0) { version } v10: asOf(version: 10) { version } later: asOf(at: "2040-01-01T00:00:00Z") { version } } }`,
      undefined,
      h.tokens.alice,
    );
    expect(body.errors).toBeUndefined();
    expect(body.data?.['wallet']).toEqual({ before: null, v0: null, v10: null, later: { version: 9 } });
  });

  it.each([
    ['both', `at: "${minutes(1).toISOString()}", version: 1`],
    ['neither', ''],
    ['neither (explicit nulls)', 'at: null, version: null'],
    ['a negative version', 'version: -1'],
  ])('%s: BAD_USER_INPUT on asOf alone', async (_, args) => {
    const { body } = await h.gql(`{ wallet(id: "wallet-a1") { name asOf${args ? `(${args})` : ''} { version } } }`, undefined, h.tokens.alice);
    expect(codes(body)).toEqual(['BAD_USER_INPUT']);
    expect(body.errors?.[0]?.path).toEqual(['wallet', 'asOf']);
    expect(body.data?.['wallet']).toEqual({ name: 'Alice main', asOf: null });
  });

  it("someone else's wallet answers as an unknown id does: no state, whichever way it is reached", async () => {
    const foreign = await asOf('version: 1', 'wallet-b1');
    const unknown = await asOf('version: 1', 'no-such-wallet');
    expect(foreign.body.data).toEqual(unknown.body.data);
    expect(foreign.body.data).toEqual({ wallet: null });
    // The Wallet it hangs off keeps its own rule (FORBIDDEN), the same as without asOf.
    const plain = await h.gql('{ wallet(id: "wallet-b1") { name } }', undefined, h.tokens.alice);
    expect(codes(foreign.body)).toEqual(codes(plain.body));
    // Through a transfer, the other side's wallet is null, just as an unknown one would be.
    const viaTransfer = await h.gql('{ transfer(id: "transfer-1") { to { asOf(version: 1) { name } } } }', undefined, h.tokens.alice);
    expect(viaTransfer.body).toEqual({ data: { transfer: { to: null } } });
  });

  it("an admin sees anyone's wallet as it was", async () => {
    const { body } = await asOf('version: 1', 'wallet-b1', h.tokens.admin);
    expect(body.data?.['wallet']?.asOf).toMatchObject({ name: 'Bob main', version: 1, balances: [] });
  });
});

describe('Wallet.asOf in a client cache', () => {
  it('has ids of its own: a past state and its balances never merge into the live wallet', async () => {
    const { body } = await h.gql(
      '{ wallet(id: "wallet-a1") { balances { id } asOf(version: 5) { id balances { id version } } } }',
      undefined,
      h.tokens.alice,
    );
    expect(body.errors).toBeUndefined();
    const wallet = body.data?.['wallet'] as { balances: Array<{ id: string }>; asOf: { id: string; balances: Array<{ id: string; version: number }> } };
    expect(wallet.asOf.id).toBe('wallet-a1@5');
    expect(wallet.asOf.balances.map((b) => b.id)).toEqual(wallet.asOf.balances.map((b) => `wallet-a1:${b.id.split(':')[1]!.split('@')[0]}@${b.version}`));
    const live = new Set(wallet.balances.map((b) => b.id));
    expect(wallet.asOf.balances.filter((b) => live.has(b.id))).toEqual([]);
  });
});
