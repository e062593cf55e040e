/** The API side of the app over in-memory ports: what PROJECTED holds on to, and idempotency ids. */
import { describe, expect, it } from 'vitest';
import { type Principal } from '../../../src/app/ledger-app.js';
import { createLedgerService, idempotencyName } from '../../../src/app/ledger-service.js';
import { systemClock, systemIds, uuidV5 } from '../../../src/infra/system.js';
import type { CommandMessage, CommandOutcome } from '../../../src/ports.js';
import { createFakeLedgerApp } from '../../support/fake-ledger-app.js';
import { accepted, createMemoryOutcomeStore, createRecordingBus, readOnlyJournal } from '../../support/memory-ports.js';

const alice: Principal = { sub: 'alice', admin: false };

function setup(decide: (command: CommandMessage) => CommandOutcome | null) {
  const fake = createFakeLedgerApp();
  let checkpoint = 0;
  fake.read.checkpoint = async () => checkpoint;
  const outcomes = createMemoryOutcomeStore();
  const app = createLedgerService({
    bus: createRecordingBus(outcomes, decide),
    outcomes,
    read: fake.read,
    live: fake.live,
    journal: readOnlyJournal,
    topology: { shards: 4 },
    clock: systemClock,
    ids: systemIds,
    waitMs: 5_000,
  });
  return { app, fake, projectUpTo: (seq: number) => (checkpoint = seq) };
}

const deposit = { type: 'Deposit' as const, data: { walletId: 'wallet-a1', asset: 'BTC', amount: '1' } };

describe('PROJECTED consistency', () => {
  it('lets go of its live subscription the moment it answers', async () => {
    const { app, fake } = setup((c) => accepted(c, { aggregateVersion: 7, journalSeq: 42 }));
    const answer = app.submit({ principal: alice, command: deposit, consistency: 'PROJECTED' });
    await waitForSubscription(fake, 'wallet:wallet-a1');
    await fake.push({ kind: 'wallet', walletId: 'wallet-a1', version: 7 });
    expect((await answer).state).toBe('ACCEPTED');
    expect(fake.openSubscriptions()).toBe(0);
  });

  it('answers from the shard checkpoint when the notification never comes (lost in a projector crash)', async () => {
    const { app, fake, projectUpTo } = setup((c) => accepted(c, { aggregateVersion: 7, journalSeq: 42 }));
    const started = Date.now();
    const answer = app.submit({ principal: alice, command: deposit, consistency: 'PROJECTED' });
    await waitForSubscription(fake, 'wallet:wallet-a1');
    projectUpTo(42);
    expect((await answer).state).toBe('ACCEPTED');
    expect(Date.now() - started).toBeLessThan(2_000); // well before the 5 s wait runs out
    expect(fake.openSubscriptions()).toBe(0);
  });
});

async function waitForSubscription(fake: ReturnType<typeof createFakeLedgerApp>, key: string): Promise<void> {
  for (let i = 0; i < 200 && fake.openSubscriptions(key) === 0; i++) await new Promise((resolve) => setImmediate(resolve));
  expect(fake.openSubscriptions(key)).toBe(1);
}

describe('idempotency keys', () => {
  it("keep the ids they always had for users without ':', and cannot collide for users with one", () => {
    expect(idempotencyName('alice', 'k:1')).toBe('idempotency:alice:k:1');
    // "a:b" + "c" and "a" + "b:c" were one name before: now they are two.
    expect(uuidV5(idempotencyName('a:b', 'c'))).not.toBe(uuidV5(idempotencyName('a', 'b:c')));
    expect(idempotencyName('a:b', 'c')).not.toBe(idempotencyName('a', 'b:c'));
  });

  it('give the same command id to the same key from the same user, and another to another user', async () => {
    const { app } = setup((c) => accepted(c));
    const send = (sub: string, key: string) => app.submit({ principal: { sub, admin: false }, command: deposit, idempotencyKey: key, consistency: 'QUEUED' });
    const first = await send('tenant:alice', 'k');
    expect((await send('tenant:alice', 'k')).commandId).toBe(first.commandId);
    expect((await send('tenant', 'alice:k')).commandId).not.toBe(first.commandId);
  });
});
