import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { codes, createHarness, type Harness } from './harness.js';

let h: Harness;
beforeEach(async () => {
  h = await createHarness();
});
// Every case below must leave the command log empty: validation runs before anything is published.
afterEach(() => {
  expect(h.app.submitted).toEqual([]);
});

const deposit = 'mutation($input: DepositInput!) { deposit(input: $input) { state } }';
const depositInput = (over: Record<string, unknown>) => ({ walletId: 'wallet-a1', asset: 'BTC', amount: '1', ...over });

describe('bad input is refused with BAD_USER_INPUT before anything is submitted', () => {
  it('a float amount literal', async () => {
    const { body } = await h.gql('mutation { deposit(input: { walletId: "wallet-a1", asset: "BTC", amount: 1.5 }) { state } }', undefined, h.tokens.alice);
    expect(codes(body)).toEqual(['BAD_USER_INPUT']);
    expect(body.errors?.[0]?.message).toContain('Decimal must be a plain decimal string like "1.5"');
  });

  it('an int amount literal', async () => {
    const { body } = await h.gql('mutation { deposit(input: { walletId: "wallet-a1", asset: "BTC", amount: 2 }) { state } }', undefined, h.tokens.alice);
    expect(codes(body)).toEqual(['BAD_USER_INPUT']);
  });

  it('a float amount variable', async () => {
    const { body } = await h.gql(deposit, { input: depositInput({ amount: 1.5 }) }, h.tokens.alice);
    expect(codes(body)).toEqual(['BAD_USER_INPUT']);
    expect(body.errors?.[0]?.message).toContain('Decimal must be a plain decimal string like "1.5"');
  });

  it.each(['abc', '1e5', '1.', '.5', '+1', ' 1', '1'.repeat(41)])('a malformed amount string %j', async (amount) => {
    const { body } = await h.gql(deposit, { input: depositInput({ amount }) }, h.tokens.alice);
    expect(codes(body)).toEqual(['BAD_USER_INPUT']);
  });

  it('an oversized wallet name, naming the field', async () => {
    const { body } = await h.gql('mutation($name: String!) { createWallet(input: { name: $name }) { state } }', { name: 'x'.repeat(101) }, h.tokens.alice);
    expect(codes(body)).toEqual(['BAD_USER_INPUT']);
    expect(body.errors?.[0]?.message).toMatch(/^input\.name: /);
  });

  it('a blank wallet name', async () => {
    const { body } = await h.gql('mutation { createWallet(input: { name: "   " }) { state } }', undefined, h.tokens.alice);
    expect(codes(body)).toEqual(['BAD_USER_INPUT']);
  });

  it.each(['has space', 'slash/no', '', 'k'.repeat(129)])('a bad idempotency key %j', async (idempotencyKey) => {
    const { body } = await h.gql(deposit, { input: depositInput({ idempotencyKey }) }, h.tokens.alice);
    expect(codes(body)).toEqual(['BAD_USER_INPUT']);
    expect(body.errors?.[0]?.message).toMatch(/^input\.idempotencyKey: /);
  });

  it.each(['btc', 'B', 'TOOLONGASSETCODE', 'B-C'])('a bad asset code %j', async (asset) => {
    const { body } = await h.gql(deposit, { input: depositInput({ asset }) }, h.tokens.alice);
    expect(codes(body)).toEqual(['BAD_USER_INPUT']);
    expect(body.errors?.[0]?.message).toMatch(/^input\.asset: /);
  });

  it('a bad network and an oversized id', async () => {
    for (const input of [depositInput({ network: 'Bitcoin Mainnet' }), depositInput({ walletId: 'w'.repeat(65) })]) {
      const { body } = await h.gql(deposit, { input }, h.tokens.alice);
      expect(codes(body)).toEqual(['BAD_USER_INPUT']);
    }
  });

  it('a date without a timezone', async () => {
    const { body } = await h.gql(
      'mutation { transfer(input: { fromWalletId: "wallet-a1", toWalletId: "wallet-b1", asset: "BTC", amount: "1", executeAt: "2031-01-01T00:00:00" }) { state } }',
      undefined,
      h.tokens.alice,
    );
    expect(codes(body)).toEqual(['BAD_USER_INPUT']);
  });

  it('registerAsset with a repeated network', async () => {
    const { body } = await h.gql('mutation { registerAsset(input: { code: "DOGE", decimals: 8, networks: ["a", "a"] }) { state } }', undefined, h.tokens.admin);
    expect(codes(body)).toEqual(['BAD_USER_INPUT']);
    expect(body.errors?.[0]?.message).toMatch(/^input\.networks: /);
  });

  it.each([101, 0, -1])('first: %d', async (first) => {
    const { body } = await h.gql('query($first: Int) { wallets(first: $first) { edges { cursor } } }', { first }, h.tokens.alice);
    expect(codes(body)).toEqual(['BAD_USER_INPUT']);
  });

  it('a cursor the API never returned', async () => {
    const { body } = await h.gql('{ wallet(id: "wallet-a1") { transactions(after: "bm90LWEtY3Vyc29y") { edges { cursor } } } }', undefined, h.tokens.alice);
    expect(codes(body)).toEqual(['BAD_USER_INPUT']);
  });
});
