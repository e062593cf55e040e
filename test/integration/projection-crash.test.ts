/**
 * Projectors SIGKILLed (no drain, no cleanup) at each point of a batch, as separate processes on
 * a real nats-server and MongoDB: before the write, between the write and the checkpoint, in the
 * middle of the notifications, after the checkpoint. Whatever the point, the read models end up
 * equal to a replay of the journal, quickly.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { allShards } from '../../src/app/sharding.js';
import { journalExtent } from '../../src/infra/nats/journal-reader.js';
import { type ProjectorsOf, projectorsOf } from '../support/projectors.js';
import { TEST_LEASE_TTL_MS, type TestStack, startTestStack, user } from '../support/stack.js';
import { waitFor } from '../support/wait.js';

const POINTS = ['projector.before-write', 'projector.after-write', 'projector.mid-notify', 'projector.after-checkpoint'] as const;
const WALLETS = 24;

describe('projectors killed at every point of a batch', () => {
  let stack: TestStack;
  let projectors: ProjectorsOf;
  let wallets: string[] = [];
  let round = 0;

  beforeAll(async () => {
    stack = await startTestStack({ roles: ['processor'] });
    projectors = projectorsOf(stack);
    const seeding = await projectors.spawn();
    wallets = await Promise.all(
      Array.from({ length: WALLETS }, async (_, i) => {
        const created = await stack.app.submit({ principal: user(`owner-${i}`), command: { type: 'CreateWallet', data: { name: `w${i}` } }, consistency: 'PROJECTED' });
        return created.walletId as string;
      }),
    );
    await seeding.stop();
  });
  afterAll(async () => {
    await projectors?.killAll();
    await stack?.stop();
  });

  /** Deposits into every wallet (so into most shards), decided by the processor and in the journal on return. */
  async function deposits(perWallet: number): Promise<void> {
    const before = (await journalExtent(stack.nats.jsm)).last;
    round++;
    await Promise.all(
      wallets.map(async (walletId, i) => {
        for (let n = 0; n < perWallet; n++) {
          const command = { type: 'Deposit' as const, data: { walletId, asset: 'USD', amount: '0.01' } };
          await stack.app.submit({ principal: user(`owner-${i}`), command, idempotencyKey: `r${round}-${n}`, consistency: 'QUEUED' });
        }
      }),
    );
    const expected = before + wallets.length * perWallet;
    await waitFor(async () => (await journalExtent(stack.nats.jsm)).last >= expected, { timeoutMs: 30_000, message: `the journal to reach ${expected}` });
  }

  const allOwnedBy = async (pids: readonly number[]) => {
    const owners = await projectors.owners();
    return owners.size === allShards(stack.topology).length && [...owners.values()].every((pid) => pids.includes(pid));
  };

  it('a lone projector killed at each point resumes within 5 s of its restart, the read models equal to a replay', { timeout: 180_000 }, async () => {
    for (const point of POINTS) {
      const victim = await projectors.spawn('projector', { JETLEDGER_FAILPOINTS: `${point}=1` });
      await waitFor(() => allOwnedBy([victim.pid]), { message: `${point}: the victim to take every shard` });
      await deposits(4);
      await waitFor(() => victim.hasExited(), {
        timeoutMs: 20_000,
        message: `${point}: the victim to crash there`,
      });
      expect(await projectors.lag(), `${point}: work left behind by the crash`).toBeGreaterThan(0);
      await deposits(2); // more while nobody projects

      const successor = await projectors.spawn();
      const restartedAt = Date.now();
      await waitFor(async () => (await projectors.lag()) === 0, { timeoutMs: 5_000, intervalMs: 100, message: `${point}: the successor to catch up within 5 s` });
      expect(Date.now() - restartedAt).toBeLessThan(5_000);
      expect(await projectors.verify(), `${point}: verify`).toEqual([]);
      await successor.stop();
    }
  });

  it('with three projectors, the shards of one killed at each point move within the lease TTL and verify passes', { timeout: 180_000 }, async () => {
    const survivors = [await projectors.spawn(), await projectors.spawn()];
    await waitFor(() => allOwnedBy(survivors.map((s) => s.pid)), { message: 'two projectors to share every shard' });
    for (const point of POINTS) {
      const victim = await projectors.spawn('projector', { JETLEDGER_FAILPOINTS: `${point}=1` });
      // The survivors hand the newcomer its share (17 shards: 6, 6 and 5).
      await waitFor(async () => [...(await projectors.owners()).values()].filter((pid) => pid === victim.pid).length >= 5, {
        message: `${point}: the victim to get its share`,
      });
      await deposits(6);
      await waitFor(() => victim.hasExited(), {
        timeoutMs: 20_000,
        message: `${point}: the victim to crash there`,
      });
      const diedAt = Date.now();
      await waitFor(() => allOwnedBy(survivors.map((s) => s.pid)), { timeoutMs: TEST_LEASE_TTL_MS, intervalMs: 50, message: `${point}: the shards to move within the TTL` });
      expect(Date.now() - diedAt).toBeLessThanOrEqual(TEST_LEASE_TTL_MS);
      await waitFor(async () => (await projectors.lag()) === 0, { timeoutMs: 10_000, message: `${point}: the survivors to catch up` });
      expect(await projectors.verify(), `${point}: verify`).toEqual([]);
    }
  });
});
