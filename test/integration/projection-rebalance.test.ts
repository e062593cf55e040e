/**
 * Projectors joining and leaving (cleanly) under traffic share the shards without projecting any
 * event twice. Observed from outside, the way a subscriber sees it: every deposit's balance
 * notification is published exactly once, as each is published once per projection of its event.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { allShards } from '../../src/app/sharding.js';
import { journalExtent } from '../../src/infra/nats/journal-reader.js';
import { readJournal } from '../support/journal.js';
import { type ProjectorsOf, projectorsOf } from '../support/projectors.js';
import { type TestStack, startTestStack, user } from '../support/stack.js';
import { waitFor } from '../support/wait.js';

const WALLETS = 24;

describe('projectors joining and leaving under traffic', () => {
  let stack: TestStack;
  let projectors: ProjectorsOf;
  beforeAll(async () => {
    // Long leases: under a loaded machine a short one can lapse in an event-loop stall, and a lapsed
    // lease rightly leads to a replay (and repeated notifications) that this test is not about.
    stack = await startTestStack({ roles: ['processor'], leaseTtlMs: 8_000 });
    projectors = projectorsOf(stack);
  });
  afterAll(async () => {
    await projectors?.killAll();
    await stack?.stop();
  });

  it('hand shards over without projecting any event twice', { timeout: 120_000 }, async () => {
    const published = new Map<string, number>();
    const sub = stack.nats.nc.subscribe('live.balance.>', {
      callback: (_, msg) => {
        const { balance } = msg.json<{ balance: { walletId: string; asset: string; version: number } }>();
        const key = `${balance.walletId}@${balance.version}`;
        published.set(key, (published.get(key) ?? 0) + 1);
      },
    });
    await stack.nats.nc.flush();

    const first = await projectors.spawn();
    const wallets = await Promise.all(
      Array.from({ length: WALLETS }, async (_, i) => (await stack.app.submit({ principal: user(`r${i}`), command: { type: 'CreateWallet', data: { name: `r${i}` } }, consistency: 'PROJECTED' })).walletId as string),
    );
    let traffic = true;
    const load = Promise.all(
      wallets.map(async (walletId, i) => {
        while (traffic) await stack.app.submit({ principal: user(`r${i}`), command: { type: 'Deposit', data: { walletId, asset: 'USD', amount: '1' } }, consistency: 'DECIDED' });
      }),
    );
    const shards = allShards(stack.topology).length;
    const owners = async () => [...(await projectors.owners()).values()];
    const shareOf = async (pid: number) => (await owners()).filter((p) => p === pid).length;
    try {
      const second = await projectors.spawn();
      await waitFor(async () => (await shareOf(second.pid)) >= 8, { message: 'the second projector to get its share' });
      const third = await projectors.spawn();
      await waitFor(async () => (await shareOf(third.pid)) >= 5 && (await owners()).length === shards, { message: 'the third projector to get its share' });
      const seqBefore = (await journalExtent(stack.nats.jsm)).last;
      await second.stop(); // hands its shards back at once
      await waitFor(async () => (await owners()).length === shards && (await shareOf(second.pid)) === 0, { message: 'the others to take its shards' });
      await waitFor(async () => (await journalExtent(stack.nats.jsm)).last > seqBefore + 200, { message: 'traffic after the handover' });
      expect([first, third].every((p) => !p.hasExited())).toBe(true);
    } finally {
      traffic = false;
      await load;
    }
    await waitFor(async () => (await projectors.lag()) === 0, { timeoutMs: 30_000, message: 'the projectors to catch up' });

    const deposits = (await readJournal(stack.nats)).filter((s) => s.event.type === 'FundsDeposited');
    expect(deposits.length).toBeGreaterThan(500);
    const expected = new Set(deposits.map((s) => `${s.event.walletId}@${s.event.version}`));
    await waitFor(() => [...expected].every((key) => published.has(key)), { message: 'a notification for every deposit' });
    sub.unsubscribe();
    const twice = [...published].filter(([, n]) => n > 1).map(([key]) => key);
    expect(twice, 'balance versions published more than once').toEqual([]);
    expect([...published.keys()].filter((key) => !expected.has(key))).toEqual([]);
  });
});
