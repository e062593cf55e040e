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
  it("sees their own wallet; someone else's answers exactly like an unknown one (null, no error)", async () => {
    const own = await h.gql('{ wallet(id: "wallet-a1") { name ownerId } }', undefined, h.tokens.alice);
    expect(own.body.data?.['wallet']).toEqual({ name: 'Alice main', ownerId: 'alice' });

    const other = await h.gql('{ wallet(id: "wallet-b1") { name } }', undefined, h.tokens.alice);
    const unknown = await h.gql('{ wallet(id: "no-such-wallet") { name } }', undefined, h.tokens.alice);
    expect(other).toEqual(unknown);
    expect(unknown.body).toEqual({ data: { wallet: null } });
  });

  it('lists only their own wallets', async () => {
    const { body } = await h.gql('{ wallets { edges { node { id } } } }', undefined, h.tokens.bob);
    expect(body.data?.['wallets'].edges.map((e: any) => e.node.id)).toEqual(['wallet-b1']);
  });

  it("gets null for someone else's wallet through node(id) too", async () => {
    const { body } = await h.gql('{ node(id: "wallet-b1") { id } }', undefined, h.tokens.alice);
    expect(body).toEqual({ data: { node: null } });
  });

  it('sees a transfer to their wallet, but not the sender’s wallet behind it', async () => {
    const { body } = await h.gql('{ transfer(id: "transfer-1") { amount from { id } to { id } } }', undefined, h.tokens.bob);
    expect(body.errors).toBeUndefined();
    expect(body.data?.['transfer']).toEqual({ amount: '0.25', from: null, to: { id: 'wallet-b1' } });
  });

  it('gets null for a transfer between other users, as for an unknown one', async () => {
    const theirs = await h.gql('{ transfer(id: "transfer-1") { id } }', undefined, h.tokens.carol);
    const unknown = await h.gql('{ transfer(id: "transfer-404") { id } }', undefined, h.tokens.carol);
    expect(theirs).toEqual(unknown);
    expect(theirs.body).toEqual({ data: { transfer: null } });
  });

  it("acting on someone else's wallet is treated like acting on an unknown one: the processor rejects both alike", async () => {
    // The edge cannot refuse early without telling which ids exist; the processor answers
    // WALLET_NOT_FOUND for both (test/unit/domain, test/e2e/authorization.e2e.test.ts).
    h.app.onSubmit = (_request, commandId) => ({ commandId, state: 'REJECTED', code: 'WALLET_NOT_FOUND', at: '2030-01-01T00:00:00Z' });
    const mutation = (walletId: string) => `mutation { deposit(input: { walletId: "${walletId}", asset: "BTC", amount: "1" }) { state code } }`;
    const theirs = await h.gql(mutation('wallet-b1'), undefined, h.tokens.alice);
    const unknown = await h.gql(mutation('wallet-zz'), undefined, h.tokens.alice);
    expect(theirs).toEqual(unknown);
    expect(h.app.submitted.map((s) => s.principal)).toEqual([{ sub: 'alice', admin: false }, { sub: 'alice', admin: false }]);
  });

  it('cannot cancel a transfer between other users: NOT_FOUND, as for an unknown transfer, and nothing is submitted', async () => {
    const theirs = await h.gql('mutation { cancelTransfer(input: { transferId: "transfer-1" }) { state } }', undefined, h.tokens.carol);
    const unknown = await h.gql('mutation { cancelTransfer(input: { transferId: "transfer-404" }) { state } }', undefined, h.tokens.carol);
    expect(codes(theirs.body)).toEqual(['NOT_FOUND']);
    expect(theirs.body.errors?.[0]?.message.replace('transfer-1', 'ID')).toBe(unknown.body.errors?.[0]?.message.replace('transfer-404', 'ID'));
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
