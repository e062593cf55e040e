/** submitCommands over the in-memory app: what the GraphQL layer checks, refuses and hands to submitMany. */
import { beforeEach, describe, expect, it } from 'vitest';
import { MAX_BATCH_SIZE } from '../../../src/app/ledger-app.js';
import { walletNotFound } from '../../../src/domain/wallet.decide.js';
import { codes, createHarness, type Harness } from './harness.js';

let h: Harness;
beforeEach(async () => {
  h = await createHarness();
});

const RESULT = '{ commandId state code message walletId transferId }';
const BATCH = `mutation Batch($commands: [CommandInput!]!, $consistency: Consistency) { submitCommands(commands: $commands, consistency: $consistency) ${RESULT} }`;

const deposit = (walletId: string, amount: string, extra: Record<string, unknown> = {}) => ({ deposit: { walletId, asset: 'BTC', amount, ...extra } });
const withdraw = (walletId: string, amount: string) => ({ withdraw: { walletId, asset: 'ETH', amount } });
const transfer = (fromWalletId: string, toWalletId: string, amount: string) => ({ transfer: { fromWalletId, toWalletId, asset: 'BTC', amount } });

const batch = (commands: unknown[], token = h.tokens.alice, consistency?: string) => h.gql(BATCH, { commands, consistency }, token);
const results = (body: { data?: Record<string, any> | null }) => body.data?.['submitCommands'] as Record<string, unknown>[];

describe('submitCommands', () => {
  it('answers every command, in order, each with its own result; the batch shares the consistency', async () => {
    h.app.onSubmit = (request, commandId) => ({
      commandId,
      state: request.command.type === 'Withdraw' ? 'REJECTED' : 'ACCEPTED',
      code: request.command.type === 'Withdraw' ? 'INSUFFICIENT_FUNDS' : undefined,
      walletId: (request.command.data as { walletId: string }).walletId,
      at: '2030-01-01T00:00:00.000Z',
    });
    const { body } = await batch([deposit('wallet-a1', '1'), withdraw('wallet-a1', '99'), transfer('wallet-a1', 'wallet-b1', '0.5'), deposit('wallet-a2', '2')], h.tokens.alice, 'PROJECTED');
    expect(body.errors).toBeUndefined();
    expect(results(body).map((r) => [r['commandId'], r['state'], r['code']])).toEqual([
      ['cmd-1', 'ACCEPTED', null],
      ['cmd-2', 'REJECTED', 'INSUFFICIENT_FUNDS'],
      ['cmd-3', 'ACCEPTED', null],
      ['cmd-4', 'ACCEPTED', null],
    ]);
    expect(h.app.batches).toHaveLength(1);
    expect(h.app.batches[0]).toMatchObject({ principal: { sub: 'alice', admin: false }, consistency: 'PROJECTED' });
    expect(h.app.submitted.map((s) => s.command)).toEqual([
      { type: 'Deposit', data: { walletId: 'wallet-a1', asset: 'BTC', amount: '1', network: undefined } },
      { type: 'Withdraw', data: { walletId: 'wallet-a1', asset: 'ETH', amount: '99', network: undefined } },
      { type: 'RequestTransfer', data: { walletId: 'wallet-a1', toWalletId: 'wallet-b1', asset: 'BTC', amount: '0.5', executeAt: undefined } },
      { type: 'Deposit', data: { walletId: 'wallet-a2', asset: 'BTC', amount: '2', network: undefined } },
    ]);
  });

  it('defaults to DECIDED and passes each idempotency key with its own command', async () => {
    await batch([deposit('wallet-a1', '1', { idempotencyKey: 'pay:1' }), deposit('wallet-a1', '2', { idempotencyKey: 'pay:2' }), deposit('wallet-a1', '3')]);
    expect(h.app.batches[0]?.consistency).toBe('DECIDED');
    expect(h.app.batches[0]?.items.map((i) => i.idempotencyKey)).toEqual(['pay:1', 'pay:2', undefined]);
  });

  it('an invalid command fails alone: REJECTED with BAD_USER_INPUT at its position, the same message as the single mutation, nothing sent for it', async () => {
    const single = await h.gql('mutation { deposit(input: { walletId: "wallet-a1", asset: "btc", amount: "1" }) { state } }', undefined, h.tokens.alice);
    const { body } = await batch([
      deposit('wallet-a1', '1'),
      { deposit: { walletId: 'wallet-a1', asset: 'btc', amount: '1', idempotencyKey: 'lower-case' } },
      { deposit: { walletId: 'not a wallet id', asset: 'BTC', amount: '1' } },
      deposit('wallet-a1', '4'),
    ]);
    expect(body.errors).toBeUndefined();
    const [ok, badAsset, badId, last] = results(body);
    expect([ok?.['state'], last?.['state']]).toEqual(['ACCEPTED', 'ACCEPTED']);
    expect(badAsset).toMatchObject({ state: 'REJECTED', code: 'BAD_USER_INPUT' });
    expect(badAsset?.['message']).toBe(single.body.errors?.[0]?.message.replace('input.asset', 'commands.1.deposit.asset'));
    expect(badId).toMatchObject({ state: 'REJECTED', code: 'BAD_USER_INPUT', message: expect.stringContaining('commands.2.deposit.walletId') });
    expect(h.app.submitted.map((s) => (s.command.data as { amount: string }).amount)).toEqual(['1', '4']);
    // The refusal keeps a well-formed key, so the app can give it the key's commandId.
    expect(h.app.batches[0]?.items[1]).toMatchObject({ kind: 'refused', idempotencyKey: 'lower-case' });
  });

  it('a CommandInput with no field or several set fails alone', async () => {
    const { body } = await batch([{}, { ...deposit('wallet-a1', '1'), ...withdraw('wallet-a1', '1') }, deposit('wallet-a1', '3'), { deposit: null, transfer: null }]);
    expect(body.errors).toBeUndefined();
    expect(results(body).map((r) => [r['state'], r['code']])).toEqual([
      ['REJECTED', 'BAD_USER_INPUT'],
      ['REJECTED', 'BAD_USER_INPUT'],
      ['ACCEPTED', null],
      ['REJECTED', 'BAD_USER_INPUT'],
    ]);
    expect(results(body)[0]?.['message']).toBe('commands.0: exactly one of deposit, withdraw, transfer must be set; none is');
    expect(results(body)[1]?.['message']).toBe('commands.1: exactly one of deposit, withdraw, transfer must be set; deposit and withdraw are');
    expect(h.app.submitted).toHaveLength(1);
  });

  it("checks authorization per command: someone else's wallet is refused as an unknown wallet would be, the caller's own go through", async () => {
    // The fake processor answers as the real one does: someone else's wallet exactly like an unknown one.
    h.app.onSubmit = (request, commandId) => {
      const walletId = (request.command.data as { walletId: string }).walletId;
      const wallet = h.app.data.wallets.find((w) => w.id === walletId);
      const visible = wallet !== undefined && (request.principal.admin || wallet.ownerId === request.principal.sub);
      return visible
        ? { commandId, state: 'ACCEPTED', walletId, at: '2030-01-01T00:00:00.000Z' }
        : { commandId, state: 'REJECTED', ...walletNotFound(walletId), walletId, at: '2030-01-01T00:00:00.000Z' };
    };
    const { body } = await batch([
      deposit('wallet-a1', '1'),
      deposit('wallet-b1', '1'),
      transfer('wallet-b1', 'wallet-a1', '1'),
      transfer('wallet-a1', 'wallet-b1', '1'),
      deposit('no-such-wallet', '1'),
    ]);
    expect(body.errors).toBeUndefined();
    const [own, foreign, foreignTransfer, ownTransfer, unknown] = results(body);
    expect([own?.['state'], ownTransfer?.['state']]).toEqual(['ACCEPTED', 'ACCEPTED']);
    const shape = (r: Record<string, unknown> | undefined, id: string) => ({ ...r, commandId: 'x', message: String(r?.['message']).replace(id, '<id>'), walletId: r?.['walletId'] === id });
    expect(shape(foreign, 'wallet-b1')).toEqual(shape(unknown, 'no-such-wallet'));
    expect(foreign).toMatchObject({ state: 'REJECTED', code: 'WALLET_NOT_FOUND', message: 'wallet wallet-b1 does not exist' });
    expect(foreignTransfer).toMatchObject({ state: 'REJECTED', code: 'WALLET_NOT_FOUND' });
    // The edge reads nothing to tell them apart: every command goes to the processor, which decides against the journal.
    expect(h.app.submitted.map((s) => (s.command.data as { walletId: string }).walletId)).toEqual(['wallet-a1', 'wallet-b1', 'wallet-b1', 'wallet-a1', 'no-such-wallet']);
    expect(h.app.calls.walletsByIds ?? 0).toBe(0);
  });

  it('an admin may act on any wallet', async () => {
    const { body } = await batch([deposit('wallet-a1', '1'), deposit('wallet-b1', '1')], h.tokens.admin);
    expect(results(body).map((r) => r['state'])).toEqual(['ACCEPTED', 'ACCEPTED']);
  });

  it(`${MAX_BATCH_SIZE + 1} commands are a BAD_USER_INPUT error and nothing is sent; ${MAX_BATCH_SIZE} go through`, async () => {
    const many = (n: number) => Array.from({ length: n }, (_, i) => deposit('wallet-a1', String(i + 1)));
    const tooMany = await batch(many(MAX_BATCH_SIZE + 1));
    expect(codes(tooMany.body)).toEqual(['BAD_USER_INPUT']);
    expect(tooMany.body.errors?.[0]?.message).toContain(`at most ${MAX_BATCH_SIZE}`);
    expect(tooMany.body.data ?? null).toBeNull();
    expect(h.app.batches).toHaveLength(0);
    expect(h.app.calls.walletsByIds ?? 0).toBe(0);

    const full = await batch(many(MAX_BATCH_SIZE));
    expect(full.body.errors).toBeUndefined();
    expect(results(full.body)).toHaveLength(MAX_BATCH_SIZE);
  });

  it(`lets ${MAX_BATCH_SIZE} of the largest commands through the armor limits when written inline, not only in variables`, async () => {
    const command = (i: number) =>
      `{ transfer: { fromWalletId: "wallet-a1", toWalletId: "wallet-b1", asset: "BTC", amount: "0.00000001", executeAt: "2031-01-01T00:00:00Z", idempotencyKey: "payout-${i}" } }`;
    const inline = (n: number) => `mutation { submitCommands(commands: [${Array.from({ length: n }, (_, i) => command(i)).join(' ')}], consistency: QUEUED) ${RESULT} }`;
    const { body } = await h.gql(inline(MAX_BATCH_SIZE), undefined, h.tokens.alice);
    expect(body.errors).toBeUndefined();
    expect(results(body)).toHaveLength(MAX_BATCH_SIZE);
    const over = await h.gql(inline(MAX_BATCH_SIZE + 1), undefined, h.tokens.alice);
    expect(codes(over.body)).toEqual(['BAD_USER_INPUT']);
  });

  it('an empty batch answers []', async () => {
    const { body } = await batch([]);
    expect(body).toEqual({ data: { submitCommands: [] } });
  });

  it('what the schema types refuse fails the whole request before anything is sent', async () => {
    const { body } = await batch([deposit('wallet-a1', '1'), { deposit: { walletId: 'wallet-a1', asset: 'BTC', amount: 0.5 } }]);
    expect(codes(body)).toEqual(['BAD_USER_INPUT']);
    expect(h.app.batches).toHaveLength(0);
  });

  it('needs a login', async () => {
    const { body } = await h.gql(BATCH, { commands: [deposit('wallet-a1', '1')] });
    expect(codes(body)).toEqual(['UNAUTHENTICATED']);
    expect(h.app.batches).toHaveLength(0);
  });
});
