import { beforeEach, describe, expect, it } from 'vitest';
import { codes, createHarness, type Harness } from './harness.js';

let h: Harness;
beforeEach(async () => {
  h = await createHarness();
});

describe('without a valid token', () => {
  const protectedOperations = [
    '{ wallet(id: "wallet-a1") { id } }',
    '{ wallets { edges { node { id } } } }',
    '{ transfer(id: "transfer-1") { id } }',
    '{ node(id: "wallet-a1") { id } }',
    '{ commandStatus(id: "cmd-1") { state } }',
    'mutation { createWallet(input: { name: "x" }) { state } }',
    'mutation { deposit(input: { walletId: "wallet-a1", asset: "BTC", amount: "1" }) { state } }',
    'mutation { registerAsset(input: { code: "DOGE", decimals: 8, networks: ["dogecoin"] }) { state } }',
  ];

  it.each(protectedOperations)('refuses %s with UNAUTHENTICATED in a normal 200 response', async (query) => {
    const { status, body } = await h.gql(query);
    expect(status).toBe(200);
    expect(codes(body)).toEqual(['UNAUTHENTICATED']);
    expect(h.app.submitted).toHaveLength(0);
  });

  it('treats a token signed with another secret as no token', async () => {
    const { body } = await h.gql('{ wallets { edges { node { id } } } }', undefined, 'not.a.jwt');
    expect(codes(body)).toEqual(['UNAUTHENTICATED']);
  });

  it('still serves the asset catalog and introspection', async () => {
    const { status, body } = await h.gql('{ __typename assets { code decimals networks } __schema { queryType { name } } __type(name: "Wallet") { name } }');
    expect(status).toBe(200);
    expect(body.errors).toBeUndefined();
    expect(body.data).toMatchObject({
      __typename: 'Query',
      assets: [{ code: 'BTC', decimals: 8, networks: ['bitcoin'] }, { code: 'ETH' }],
      __schema: { queryType: { name: 'Query' } },
      __type: { name: 'Wallet' },
    });
  });
});

describe('a user', () => {
  it("sees their own wallet and is FORBIDDEN someone else's; an unknown wallet is null", async () => {
    const own = await h.gql('{ wallet(id: "wallet-a1") { name ownerId } }', undefined, h.tokens.alice);
    expect(own.body.data?.['wallet']).toEqual({ name: 'Alice main', ownerId: 'alice' });

    const other = await h.gql('{ wallet(id: "wallet-b1") { name } }', undefined, h.tokens.alice);
    expect(codes(other.body)).toEqual(['FORBIDDEN']);
    expect(other.body.data?.['wallet']).toBeNull();

    const unknown = await h.gql('{ wallet(id: "no-such-wallet") { name } }', undefined, h.tokens.alice);
    expect(unknown.body).toEqual({ data: { wallet: null } });
  });

  it('lists only their own wallets', async () => {
    const { body } = await h.gql('{ wallets { edges { node { id } } } }', undefined, h.tokens.bob);
    expect(body.data?.['wallets'].edges.map((e: any) => e.node.id)).toEqual(['wallet-b1']);
  });

  it("is FORBIDDEN someone else's wallet through node(id) too", async () => {
    const { body } = await h.gql('{ node(id: "wallet-b1") { id } }', undefined, h.tokens.alice);
    expect(codes(body)).toEqual(['FORBIDDEN']);
  });

  it('sees a transfer to their wallet, but not the sender’s wallet behind it', async () => {
    const { body } = await h.gql('{ transfer(id: "transfer-1") { amount from { id } to { id } } }', undefined, h.tokens.bob);
    expect(body.errors).toBeUndefined();
    expect(body.data?.['transfer']).toEqual({ amount: '0.25', from: null, to: { id: 'wallet-b1' } });
  });

  it('is FORBIDDEN a transfer between other users', async () => {
    const { body } = await h.gql('{ transfer(id: "transfer-1") { id } }', undefined, h.tokens.carol);
    expect(codes(body)).toEqual(['FORBIDDEN']);
  });

  it("cannot act on someone else's wallet: FORBIDDEN and nothing is submitted", async () => {
    const mutations = [
      'mutation { deposit(input: { walletId: "wallet-b1", asset: "BTC", amount: "1" }) { state } }',
      'mutation { withdraw(input: { walletId: "wallet-b1", asset: "BTC", amount: "1" }) { state } }',
      'mutation { updateWallet(input: { walletId: "wallet-b1", name: "mine now" }) { state } }',
      'mutation { closeWallet(input: { walletId: "wallet-b1" }) { state } }',
      'mutation { transfer(input: { fromWalletId: "wallet-b1", toWalletId: "wallet-a1", asset: "BTC", amount: "1" }) { state } }',
      'mutation { cancelTransfer(input: { transferId: "transfer-1" }) { state } }',
    ];
    for (const mutation of mutations) {
      const { body } = await h.gql(mutation, undefined, mutation.includes('cancelTransfer') ? h.tokens.bob : h.tokens.alice);
      expect(codes(body), mutation).toEqual(['FORBIDDEN']);
    }
    expect(h.app.submitted).toHaveLength(0);
  });

  it('may send a transfer to any wallet', async () => {
    const { body } = await h.gql(
      'mutation { transfer(input: { fromWalletId: "wallet-a1", toWalletId: "wallet-b1", asset: "BTC", amount: "0.1" }) { state } }',
      undefined,
      h.tokens.alice,
    );
    expect(body.data?.['transfer']).toEqual({ state: 'ACCEPTED' });
  });

  it('cannot register assets (FORBIDDEN)', async () => {
    const { body } = await h.gql('mutation { registerAsset(input: { code: "DOGE", decimals: 8, networks: ["dogecoin"] }) { state } }', undefined, h.tokens.alice);
    expect(codes(body)).toEqual(['FORBIDDEN']);
    expect(h.app.submitted).toHaveLength(0);
  });
});

describe('an admin', () => {
  it('sees every wallet and transfer', async () => {
    const { body } = await h.gql(
      '{ wallets { edges { node { id } } } wallet(id: "wallet-b1") { ownerId } transfer(id: "transfer-1") { from { id } to { id } } }',
      undefined,
      h.tokens.admin,
    );
    expect(body.errors).toBeUndefined();
    expect(body.data?.['wallets'].edges.map((e: any) => e.node.id)).toEqual(['wallet-a1', 'wallet-b1', 'wallet-a2']);
    expect(body.data?.['wallet']).toEqual({ ownerId: 'bob' });
    expect(body.data?.['transfer']).toEqual({ from: { id: 'wallet-a1' }, to: { id: 'wallet-b1' } });
  });

  it('registers assets', async () => {
    const { body } = await h.gql(
      'mutation { registerAsset(input: { code: "DOGE", decimals: 8, networks: ["dogecoin"], minAmount: "0.01" }) { state } }',
      undefined,
      h.tokens.admin,
    );
    expect(body.data?.['registerAsset']).toEqual({ state: 'ACCEPTED' });
    expect(h.app.submitted[0]).toMatchObject({
      principal: { sub: 'root', admin: true },
      command: { type: 'RegisterAsset', data: { code: 'DOGE', decimals: 8, networks: ['dogecoin'], minAmount: '0.01' } },
    });
  });
});
