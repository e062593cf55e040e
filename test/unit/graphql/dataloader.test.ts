import { describe, expect, it } from 'vitest';
import { balanceView, transferView, walletView } from '../../support/fake-ledger-app.js';
import { createHarness } from './harness.js';

describe('DataLoader batching', () => {
  it('reads 50 wallets with balances and transfers in a bounded number of ReadStore calls', async () => {
    const wallets = Array.from({ length: 50 }, (_, i) => walletView({ id: `w-${i}`, ownerId: 'erin', createdSeq: i + 1 }));
    const h = await createHarness({
      wallets,
      balances: wallets.flatMap((w) => [
        balanceView({ walletId: w.id, asset: 'BTC', total: '1' }),
        balanceView({ walletId: w.id, asset: 'ETH', total: '2' }),
      ]),
      transfers: wallets.slice(1).map((w, i) => transferView({ id: `t-${i}`, fromWalletId: wallets[i]!.id, toWalletId: w.id })),
    });
    const token = await h.sign('erin');
    h.app.resetCalls();

    const { body } = await h.gql(
      `{ wallets(first: 50) { edges { node { id
          balances { asset total }
          btc: balance(asset: "BTC") { total }
          transfers { id from { id } to { id } }
          pending: transfers(status: PENDING) { id } } } } }`,
      undefined,
      token,
    );

    expect(body.errors).toBeUndefined();
    const nodes = body.data?.['wallets'].edges.map((e: any) => e.node);
    expect(nodes).toHaveLength(50);
    expect(nodes[10].balances).toEqual([{ asset: 'BTC', total: '1' }, { asset: 'ETH', total: '2' }]);
    expect(nodes[10].transfers.map((t: any) => t.id)).toEqual(['t-9', 't-10']);
    expect(nodes[10].transfers[0]).toEqual({ id: 't-9', from: { id: 'w-9' }, to: { id: 'w-10' } });
    // One call per kind of data, whatever the number of wallets; from/to wallets were primed by the list.
    expect(h.app.calls).toEqual({ listWallets: 1, balancesByWalletIds: 1, transfersOfWallets: 2 });
  });

  it('gives each request its own loaders (no stale cache across requests)', async () => {
    const h = await createHarness();
    const query = '{ wallet(id: "wallet-a1") { balance(asset: "BTC") { total } } }';
    await h.gql(query, undefined, h.tokens.alice);
    h.app.data.balances[0] = balanceView({ walletId: 'wallet-a1', asset: 'BTC', total: '9', version: 9 });
    const { body } = await h.gql(query, undefined, h.tokens.alice);
    expect(body.data?.['wallet'].balance).toEqual({ total: '9' });
  });
});
