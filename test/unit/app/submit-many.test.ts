/** The real ledger service's submitMany over in-memory ports: pipelining, per-command decisions, idempotency, refusals. */
import { describe, expect, it } from 'vitest';
import { MAX_IN_FLIGHT } from '../../../src/app/command-batch.js';
import { type BatchItem, BatchTooLargeError, type CommandRequest, MAX_BATCH_SIZE, type Principal } from '../../../src/app/ledger-app.js';
import { createLedgerService } from '../../../src/app/ledger-service.js';
import { systemClock, systemIds } from '../../../src/infra/system.js';
import type { CommandMessage, CommandOutcome } from '../../../src/ports.js';
import { createFakeLedgerApp } from '../../support/fake-ledger-app.js';
import { accepted, createMemoryOutcomeStore, createRecordingBus, readOnlyJournal } from '../../support/memory-ports.js';
import { waitFor } from '../../support/wait.js';

const alice: Principal = { sub: 'alice', admin: false };


type Options = {
  decide?: (command: CommandMessage) => CommandOutcome | null | Promise<CommandOutcome | null>;
  failOn?: (command: CommandMessage) => boolean;
  waitMs?: number;
  maxInFlight?: number;
};

function setup(options: Options = {}) {
  const outcomes = createMemoryOutcomeStore();
  const bus = createRecordingBus(outcomes, options.decide ?? ((c) => accepted(c)), options.failOn);
  const fake = createFakeLedgerApp();
  const app = createLedgerService({
    bus,
    outcomes,
    read: fake.read,
    live: fake.live,
    journal: readOnlyJournal,
    topology: { shards: 4 },
    clock: systemClock,
    ids: systemIds,
    waitMs: options.waitMs ?? 5_000,
    maxInFlight: options.maxInFlight,
  });
  return { app, bus, outcomes };
}

const deposit = (walletId: string, amount: string): CommandRequest => ({ type: 'Deposit', data: { walletId, asset: 'BTC', amount } });
const command = (c: CommandRequest, idempotencyKey?: string): BatchItem => ({ kind: 'command', command: c, idempotencyKey });
const amountOf = (m: CommandMessage) => (m.data as { amount: string }).amount;

/** Lets every pending callback and I/O turn run: enough for a pipeline that could move on to move on. */
const settle = async (turns = 50) => {
  for (let i = 0; i < turns; i++) await new Promise((resolve) => setImmediate(resolve));
};

describe('submitMany', () => {
  it('answers every command in the order given, each with its own decision', async () => {
    const { app } = setup({
      // Odd amounts are refused, and decisions come back in reverse order of arrival (later ones first).
      decide: async (c) => {
        const n = Number(amountOf(c));
        await settle(200 - n);
        return n % 2 === 1 ? accepted(c, { state: 'REJECTED', code: 'INSUFFICIENT_FUNDS' }) : accepted(c);
      },
    });
    const items = Array.from({ length: 150 }, (_, i) => command(deposit('w1', String(i + 1))));
    const outcomes = await app.submitMany({ principal: alice, items, consistency: 'DECIDED' });
    expect(outcomes.map((o) => o.state)).toEqual(items.map((_, i) => ((i + 1) % 2 === 1 ? 'REJECTED' : 'ACCEPTED')));
    expect(new Set(outcomes.map((o) => o.commandId)).size).toBe(150);
  });

  it(`keeps at most ${MAX_IN_FLIGHT} commands in flight, and does keep that many (pipelined, not one after another)`, async () => {
    let open!: () => void;
    const gate = new Promise<void>((resolve) => (open = resolve));
    const { app, bus } = setup({ decide: async (c) => (await gate, accepted(c)) });
    const items = Array.from({ length: 200 }, (_, i) => command(deposit('w1', String(i + 1))));
    const batch = app.submitMany({ principal: alice, items, consistency: 'DECIDED' });

    await waitFor(() => bus.published.length === MAX_IN_FLIGHT, { message: `${MAX_IN_FLIGHT} commands published` });
    await settle();
    // Every slot waits for a decision that is held back: nothing more may start.
    expect(bus.published).toHaveLength(MAX_IN_FLIGHT);
    open();
    expect((await batch).every((o) => o.state === 'ACCEPTED')).toBe(true);
    expect(bus.published).toHaveLength(200);
    expect(bus.maxInFlight).toBeGreaterThan(1);
    expect(bus.maxInFlight).toBeLessThanOrEqual(MAX_IN_FLIGHT);
  });

  it('QUEUED answers once every command is stored, without waiting for a decision', async () => {
    const { app, bus } = setup({ decide: () => null });
    const items = Array.from({ length: 100 }, (_, i) => command(deposit('w1', String(i + 1))));
    const outcomes = await app.submitMany({ principal: alice, items, consistency: 'QUEUED' });
    expect(outcomes.every((o) => o.state === 'QUEUED')).toBe(true);
    expect(bus.published.map(amountOf).sort((a, b) => Number(a) - Number(b))).toEqual(items.map((_, i) => String(i + 1)));
  });

  it('waits at most as long as one command would for the whole batch, then answers QUEUED for the undecided', async () => {
    const { app, bus } = setup({ decide: () => null, waitMs: 200, maxInFlight: 8 });
    const items = Array.from({ length: 120 }, (_, i) => command(deposit('w1', String(i + 1))));
    const started = Date.now();
    const outcomes = await app.submitMany({ principal: alice, items, consistency: 'DECIDED' });
    // 15 waves of 8, each waiting its own 200 ms, would take 3 s.
    expect(Date.now() - started).toBeLessThan(1_500);
    expect(outcomes.every((o) => o.state === 'QUEUED')).toBe(true);
    expect(bus.published).toHaveLength(120);
  });

  it('a repeated batch (same keys) publishes nothing new and answers the same commandIds and outcomes', async () => {
    const { app, bus } = setup({ decide: (c) => (amountOf(c) === '3' ? accepted(c, { state: 'REJECTED', code: 'INSUFFICIENT_FUNDS' }) : accepted(c)) });
    const items = ['1', '2', '3', '4'].map((amount) => command(deposit('w1', amount), `pay-${amount}`));
    const first = await app.submitMany({ principal: alice, items, consistency: 'DECIDED' });
    const again = await app.submitMany({ principal: alice, items, consistency: 'DECIDED' });
    expect(again).toEqual(first);
    expect(first.map((o) => o.state)).toEqual(['ACCEPTED', 'ACCEPTED', 'REJECTED', 'ACCEPTED']);
    expect(bus.published).toHaveLength(4);
    // The keys are the caller's: bob's batch with the same keys is another set of commands.
    const bobs = await app.submitMany({ principal: { sub: 'bob', admin: false }, items, consistency: 'DECIDED' });
    expect(bobs.map((o) => o.commandId).filter((id) => first.some((o) => o.commandId === id))).toEqual([]);
  });

  it('a key used twice in one batch: the same input shares one command, other input is IDEMPOTENCY_KEY_REUSED', async () => {
    const { app, bus } = setup();
    const outcomes = await app.submitMany({
      principal: alice,
      items: [command(deposit('w1', '1'), 'k'), command(deposit('w1', '1'), 'k'), command(deposit('w1', '2'), 'k')],
      consistency: 'DECIDED',
    });
    expect(outcomes.map((o) => [o.state, o.code])).toEqual([
      ['ACCEPTED', undefined],
      ['ACCEPTED', undefined],
      ['REJECTED', 'IDEMPOTENCY_KEY_REUSED'],
    ]);
    expect(new Set(outcomes.map((o) => o.commandId)).size).toBe(1);
    expect(bus.published).toHaveLength(1);
  });

  it('a key reused from an earlier request with other input is refused at its position; the others go through', async () => {
    const { app } = setup();
    await app.submit({ principal: alice, command: deposit('w1', '1'), idempotencyKey: 'k', consistency: 'DECIDED' });
    const outcomes = await app.submitMany({
      principal: alice,
      items: [command(deposit('w1', '5')), command(deposit('w1', '9'), 'k')],
      consistency: 'DECIDED',
    });
    expect(outcomes.map((o) => [o.state, o.code])).toEqual([
      ['ACCEPTED', undefined],
      ['REJECTED', 'IDEMPOTENCY_KEY_REUSED'],
    ]);
    expect(outcomes[1]?.message).toContain('"k"');
  });

  it('a refused item is never published and answers like a processor rejection: derived commandId with a key, ids from its command', async () => {
    const { app, bus, outcomes: store } = setup();
    const transfer: CommandRequest = { type: 'RequestTransfer', data: { walletId: 'foreign', toWalletId: 'w1', asset: 'BTC', amount: '1' } };
    const refusal = { code: 'WALLET_NOT_FOUND', message: 'wallet foreign does not exist' };
    const items: BatchItem[] = [
      command(deposit('w1', '1')),
      { kind: 'refused', refusal, command: transfer, idempotencyKey: 'move-1' },
      { kind: 'refused', refusal: { code: 'BAD_USER_INPUT', message: 'commands.2.deposit.asset: bad' } },
    ];
    const first = await app.submitMany({ principal: alice, items, consistency: 'DECIDED' });
    expect(first[0]?.state).toBe('ACCEPTED');
    expect(first[1]).toMatchObject({
      state: 'REJECTED',
      ...refusal,
      commandId: systemIds.derive('idempotency:alice:move-1'),
      walletId: 'foreign',
      transferId: systemIds.derive(`transfer:${systemIds.derive('idempotency:alice:move-1')}`),
    });
    expect(first[2]).toMatchObject({ state: 'REJECTED', code: 'BAD_USER_INPUT', walletId: undefined });
    expect(first[2]?.commandId).toMatch(/^[0-9a-f-]{36}$/);
    expect(bus.published.map((c) => c.type)).toEqual(['Deposit']);
    expect(store.all.has(first[1]!.commandId)).toBe(false);

    const again = await app.submitMany({ principal: alice, items, consistency: 'DECIDED' });
    expect(again[1]?.commandId).toBe(first[1]?.commandId);
    // Without a key there is nothing to tie a repeat to: a fresh id each time.
    expect(again[2]?.commandId).not.toBe(first[2]?.commandId);
  });

  it(`refuses more than ${MAX_BATCH_SIZE} commands before publishing any; 0 commands answer []`, async () => {
    const { app, bus } = setup();
    const items = Array.from({ length: MAX_BATCH_SIZE + 1 }, (_, i) => command(deposit('w1', String(i + 1))));
    await expect(app.submitMany({ principal: alice, items, consistency: 'QUEUED' })).rejects.toBeInstanceOf(BatchTooLargeError);
    expect(bus.published).toHaveLength(0);
    expect(await app.submitMany({ principal: alice, items: [], consistency: 'DECIDED' })).toEqual([]);
  });

  it('an infrastructure failure fails the batch: no command starts after it, and those in flight are awaited', async () => {
    const { app, bus } = setup({ failOn: (c) => amountOf(c) === '10', maxInFlight: 4 });
    const items = Array.from({ length: 100 }, (_, i) => command(deposit('w1', String(i + 1))));
    await expect(app.submitMany({ principal: alice, items, consistency: 'QUEUED' })).rejects.toThrow(/timed out/);
    const count = bus.published.length;
    expect(count).toBeGreaterThanOrEqual(9);
    expect(count).toBeLessThan(9 + 4);
    await settle();
    expect(bus.published).toHaveLength(count);
  });
});
