import { beforeEach, describe, expect, it } from 'vitest';
import { walletView } from '../../support/fake-ledger-app.js';
import { codes, createHarness, type Harness } from './harness.js';

let h: Harness;
beforeEach(async () => {
  h = await createHarness();
});

describe('wallets', () => {
  it('pages forward with opaque cursors in creation order', async () => {
    const query = 'query($after: String) { wallets(first: 2, after: $after) { edges { cursor node { id } } pageInfo { hasNextPage hasPreviousPage startCursor endCursor } } }';
    const first = await h.gql(query, {}, h.tokens.admin);
    const page1 = first.body.data?.['wallets'];
    expect(page1.edges.map((e: any) => e.node.id)).toEqual(['wallet-a1', 'wallet-b1']);
    expect(page1.pageInfo).toMatchObject({ hasNextPage: true, hasPreviousPage: false, startCursor: page1.edges[0].cursor });
    // Opaque: not the sequence number in clear.
    expect(page1.pageInfo.endCursor).not.toMatch(/^\d+$/);

    const second = await h.gql(query, { after: page1.pageInfo.endCursor }, h.tokens.admin);
    const page2 = second.body.data?.['wallets'];
    expect(page2.edges.map((e: any) => e.node.id)).toEqual(['wallet-a2']);
    expect(page2.pageInfo).toMatchObject({ hasNextPage: false, hasPreviousPage: true });
  });

  it('defaults to 20 a page and filters by status', async () => {
    const many = Array.from({ length: 25 }, (_, i) => walletView({ id: `w-${i}`, ownerId: 'dora', createdSeq: 100 + i, status: i === 3 ? 'CLOSED' : 'ACTIVE' }));
    h.app.data.wallets.push(...many);
    const token = await h.sign('dora');
    const all = await h.gql('{ wallets { edges { node { id } } pageInfo { hasNextPage } } }', undefined, token);
    expect(all.body.data?.['wallets'].edges).toHaveLength(20);
    expect(all.body.data?.['wallets'].pageInfo.hasNextPage).toBe(true);
    const closed = await h.gql('{ wallets(status: CLOSED) { edges { node { id status } } } }', undefined, token);
    expect(closed.body.data?.['wallets'].edges).toEqual([{ node: { id: 'w-3', status: 'CLOSED' } }]);
  });
});

describe('a wallet', () => {
  it('shows balances as exact decimal strings, one by asset, and unknown assets as null', async () => {
    const { body } = await h.gql(
      '{ wallet(id: "wallet-a1") { version createdAt balances { asset total reserved available version updatedAt } btc: balance(asset: "BTC") { available } usd: balance(asset: "USD") { total } } }',
      undefined,
      h.tokens.alice,
    );
    expect(body.errors).toBeUndefined();
    expect(body.data?.['wallet']).toEqual({
      version: 1,
      createdAt: '2030-01-01T00:00:00.000Z',
      balances: [
        { asset: 'BTC', total: '1.5', reserved: '0.5', available: '1', version: 4, updatedAt: '2030-01-01T00:01:00.000Z' },
        { asset: 'ETH', total: '10', reserved: '0', available: '10', version: 3, updatedAt: '2030-01-01T00:01:00.000Z' },
      ],
      btc: { available: '1' },
      usd: null,
    });
  });

  it('travels in time with balanceAt', async () => {
    // entry-1 (seq 10) at +10 min: BTC total 2; entry-3 (seq 15) at +15 min: reserved 0.5.
    const { body } = await h.gql(
      '{ wallet(id: "wallet-a1") { early: balanceAt(asset: "BTC", at: "2030-01-01T00:12:00Z") { total reserved available } later: balanceAt(asset: "BTC", at: "2030-01-01T00:16:00Z") { total reserved available } before: balanceAt(asset: "BTC", at: "2029-01-01T00:00:00Z") { total } } }',
      undefined,
      h.tokens.alice,
    );
    expect(body.data?.['wallet']).toEqual({
      early: { total: '2', reserved: '0', available: '2' },
      later: { total: '2', reserved: '0.5', available: '1.5' },
      before: null,
    });
  });

  it('lists transactions newest first and pages with cursors', async () => {
    const query = 'query($after: String, $asset: String) { wallet(id: "wallet-a1") { transactions(first: 2, after: $after, asset: $asset) { edges { cursor node { id type amount totalAfter occurredAt } } pageInfo { hasNextPage endCursor } } } }';
    const first = await h.gql(query, {}, h.tokens.alice);
    const page1 = first.body.data?.['wallet'].transactions;
    expect(page1.edges.map((e: any) => e.node.id)).toEqual(['entry-4', 'entry-3']);
    expect(page1.edges[0].node).toMatchObject({ type: 'TRANSFER_OUT', amount: '0.5', totalAfter: '1.5' });
    expect(page1.pageInfo.hasNextPage).toBe(true);

    const second = await h.gql(query, { after: page1.pageInfo.endCursor }, h.tokens.alice);
    const page2 = second.body.data?.['wallet'].transactions;
    expect(page2.edges.map((e: any) => e.node.id)).toEqual(['entry-2', 'entry-1']);
    expect(page2.pageInfo.hasNextPage).toBe(false);

    const eth = await h.gql(query, { asset: 'ETH' }, h.tokens.alice);
    expect(eth.body.data?.['wallet'].transactions.edges.map((e: any) => e.node.id)).toEqual(['entry-2']);
  });

  it('lists its transfers, by status when asked', async () => {
    const { body } = await h.gql(
      '{ wallet(id: "wallet-a1") { all: transfers { id status } scheduled: transfers(status: SCHEDULED) { id executeAt } } }',
      undefined,
      h.tokens.alice,
    );
    expect(body.data?.['wallet']).toEqual({
      all: [
        { id: 'transfer-1', status: 'PENDING' },
        { id: 'transfer-2', status: 'SCHEDULED' },
      ],
      scheduled: [{ id: 'transfer-2', executeAt: '2031-01-01T00:00:00.000Z' }],
    });
  });
});

describe('node(id)', () => {
  it('finds a wallet, a transfer and a ledger entry by id', async () => {
    const { body } = await h.gql(
      `{ w: node(id: "wallet-a1") { __typename id ... on Wallet { name } }
         t: node(id: "transfer-1") { __typename id ... on Transfer { amount } }
         e: node(id: "entry-2") { __typename id ... on LedgerEntry { asset } }
         none: node(id: "nothing") { id } }`,
      undefined,
      h.tokens.alice,
    );
    expect(body.errors).toBeUndefined();
    expect(body.data).toEqual({
      w: { __typename: 'Wallet', id: 'wallet-a1', name: 'Alice main' },
      t: { __typename: 'Transfer', id: 'transfer-1', amount: '0.25' },
      e: { __typename: 'LedgerEntry', id: 'entry-2', asset: 'ETH' },
      none: null,
    });
  });

  it("answers someone else's ledger entry like an unknown id: null", async () => {
    const { body } = await h.gql('{ node(id: "entry-5") { id } }', undefined, h.tokens.alice);
    expect(body).toEqual({ data: { node: null } });
    expect(codes(body)).toEqual([]);
  });
});
