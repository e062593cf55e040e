import { beforeEach, describe, expect, it } from 'vitest';
import { IdempotencyKeyReusedError } from '../../../src/app/ledger-app.js';
import { codes, createHarness, type Harness } from './harness.js';

let h: Harness;
beforeEach(async () => {
  h = await createHarness();
});

const RESULT = '{ commandId state code message walletId transferId }';

describe('mutations submit the right command', () => {
  it('createWallet: trimmed name, the caller as principal, DECIDED by default; the app fills ids', async () => {
    const { body } = await h.gql(`mutation { createWallet(input: { name: "  Travel  ", idempotencyKey: "trip:2030" }) ${RESULT} }`, undefined, h.tokens.alice);
    expect(body.data?.['createWallet']).toEqual({
      commandId: 'cmd-1',
      state: 'ACCEPTED',
      code: null,
      message: null,
      walletId: 'wallet-of-cmd-1',
      transferId: null,
    });
    expect(h.app.submitted).toEqual([
      {
        principal: { sub: 'alice', admin: false },
        command: { type: 'CreateWallet', data: { name: 'Travel' } },
        idempotencyKey: 'trip:2030',
        consistency: 'DECIDED',
      },
    ]);
  });

  it('deposit and withdraw pass the consistency asked for and the network', async () => {
    await h.gql('mutation { deposit(input: { walletId: "wallet-a1", asset: "BTC", amount: "0.00000001", network: "bitcoin" }, consistency: PROJECTED) { state } }', undefined, h.tokens.alice);
    await h.gql('mutation { withdraw(input: { walletId: "wallet-a1", asset: "ETH", amount: "0" }, consistency: QUEUED) { state } }', undefined, h.tokens.alice);
    expect(h.app.submitted.map((s) => [s.command, s.consistency])).toEqual([
      [{ type: 'Deposit', data: { walletId: 'wallet-a1', asset: 'BTC', amount: '0.00000001', network: 'bitcoin' } }, 'PROJECTED'],
      [{ type: 'Withdraw', data: { walletId: 'wallet-a1', asset: 'ETH', amount: '0', network: undefined } }, 'QUEUED'],
    ]);
  });

  it('updateWallet renames, closeWallet closes', async () => {
    await h.gql('mutation { updateWallet(input: { walletId: "wallet-a1", name: "Renamed" }) { state } }', undefined, h.tokens.alice);
    await h.gql('mutation { closeWallet(input: { walletId: "wallet-a2" }) { state } }', undefined, h.tokens.alice);
    expect(h.app.submitted.map((s) => s.command)).toEqual([
      { type: 'RenameWallet', data: { walletId: 'wallet-a1', name: 'Renamed' } },
      { type: 'CloseWallet', data: { walletId: 'wallet-a2' } },
    ]);
  });

  it('transfer goes to the source wallet, with executeAt as an ISO string', async () => {
    const { body } = await h.gql(
      `mutation { transfer(input: { fromWalletId: "wallet-a1", toWalletId: "wallet-b1", asset: "BTC", amount: "0.5", executeAt: "2031-06-01T12:00:00+02:00" }) ${RESULT} }`,
      undefined,
      h.tokens.alice,
    );
    expect(body.data?.['transfer']).toMatchObject({ state: 'ACCEPTED', walletId: 'wallet-a1', transferId: 'transfer-of-cmd-1' });
    expect(h.app.submitted[0]?.command).toEqual({
      type: 'RequestTransfer',
      data: { walletId: 'wallet-a1', toWalletId: 'wallet-b1', asset: 'BTC', amount: '0.5', executeAt: '2031-06-01T10:00:00.000Z' },
    });
  });

  it('cancelTransfer and rescheduleTransfer address the transfer’s source wallet from the read model', async () => {
    await h.gql('mutation { cancelTransfer(input: { transferId: "transfer-2" }) { state } }', undefined, h.tokens.alice);
    await h.gql('mutation { rescheduleTransfer(input: { transferId: "transfer-2", executeAt: "2032-01-01T00:00:00Z" }) { state } }', undefined, h.tokens.alice);
    expect(h.app.submitted.map((s) => s.command)).toEqual([
      { type: 'CancelTransfer', data: { walletId: 'wallet-a1', transferId: 'transfer-2' } },
      { type: 'RescheduleTransfer', data: { walletId: 'wallet-a1', transferId: 'transfer-2', executeAt: '2032-01-01T00:00:00.000Z' } },
    ]);
  });

  it('cancelTransfer of a transfer the read model does not know is NOT_FOUND', async () => {
    const { body } = await h.gql('mutation { cancelTransfer(input: { transferId: "nope" }) { state } }', undefined, h.tokens.alice);
    expect(codes(body)).toEqual(['NOT_FOUND']);
    expect(h.app.submitted).toEqual([]);
  });

  it('a wallet missing from the read model (it may lag) is still submitted; the processor decides', async () => {
    const { body } = await h.gql('mutation { deposit(input: { walletId: "just-created", asset: "BTC", amount: "1" }) { state } }', undefined, h.tokens.alice);
    expect(body.data?.['deposit']).toEqual({ state: 'ACCEPTED' });
    expect(h.app.submitted).toHaveLength(1);
  });
});

describe('outcomes', () => {
  it('a rejection comes back as a CommandResult with its code, not as an error', async () => {
    h.app.onSubmit = (_request, commandId) => ({
      commandId,
      state: 'REJECTED',
      code: 'INSUFFICIENT_FUNDS',
      message: 'available 1 BTC, asked 5 BTC',
      walletId: 'wallet-a1',
      at: '2030-01-01T00:00:00.000Z',
    });
    const { body } = await h.gql(`mutation { withdraw(input: { walletId: "wallet-a1", asset: "BTC", amount: "5" }) ${RESULT} }`, undefined, h.tokens.alice);
    expect(body.errors).toBeUndefined();
    expect(body.data?.['withdraw']).toEqual({
      commandId: 'cmd-1',
      state: 'REJECTED',
      code: 'INSUFFICIENT_FUNDS',
      message: 'available 1 BTC, asked 5 BTC',
      walletId: 'wallet-a1',
      transferId: null,
    });
  });

  it('a reused idempotency key with other input is IDEMPOTENCY_KEY_REUSED', async () => {
    h.app.onSubmit = (request) => {
      throw new IdempotencyKeyReusedError(request.idempotencyKey ?? '');
    };
    const { body } = await h.gql('mutation { deposit(input: { walletId: "wallet-a1", asset: "BTC", amount: "1", idempotencyKey: "k1" }) { state } }', undefined, h.tokens.alice);
    expect(codes(body)).toEqual(['IDEMPOTENCY_KEY_REUSED']);
    expect(body.errors?.[0]?.message).toContain('k1');
  });

  it('an unexpected failure is masked for the client and logged', async () => {
    h.app.onSubmit = () => {
      throw new Error('nats: connection refused to 10.0.0.7:4222');
    };
    const { body } = await h.gql('mutation { deposit(input: { walletId: "wallet-a1", asset: "BTC", amount: "1" }) { state } }', undefined, h.tokens.alice);
    expect(codes(body)).toEqual(['INTERNAL_SERVER_ERROR']);
    expect(JSON.stringify(body)).not.toContain('10.0.0.7');
    expect(h.logger.errors).toHaveLength(1);
    expect(String((h.logger.errors[0]?.obj as { err: Error }).err.message)).toContain('connection refused');
  });

  it('commandStatus reads an outcome back', async () => {
    await h.gql('mutation { createWallet(input: { name: "x" }) { state } }', undefined, h.tokens.alice);
    const { body } = await h.gql('{ commandStatus(id: "cmd-1") { state walletId } missing: commandStatus(id: "cmd-9") { state } }', undefined, h.tokens.alice);
    expect(body.data).toEqual({ commandStatus: { state: 'ACCEPTED', walletId: 'wallet-of-cmd-1' }, missing: null });
  });

  it("commandStatus of a command on someone else's wallet answers like an unknown id: null", async () => {
    await h.gql('mutation { deposit(input: { walletId: "wallet-b1", asset: "BTC", amount: "1" }) { state } }', undefined, h.tokens.bob);
    const theirs = await h.gql('{ commandStatus(id: "cmd-1") { state } }', undefined, h.tokens.alice);
    const unknown = await h.gql('{ commandStatus(id: "cmd-404") { state } }', undefined, h.tokens.alice);
    expect(theirs.body).toEqual({ data: { commandStatus: null } });
    expect(theirs.body).toEqual(unknown.body);
    expect(codes((await h.gql('{ commandStatus(id: "cmd-1") { state } }', undefined, h.tokens.bob)).body)).toEqual([]);
  });
});
