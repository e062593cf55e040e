import { afterEach, describe, expect, it } from 'vitest';
import { type ProjectionCoordinator, startProjectionCoordinator } from '../../../src/app/projection-coordinator.js';
import type { ShardWorker } from '../../../src/app/shard-worker.js';
import { type LeaseHolder, LeaseLostError, type LeaseStore, type ShardId } from '../../../src/ports.js';
import { type MemoryLeases, memoryLeases } from '../../support/memory-leases.js';
import { waitFor } from '../../support/wait.js';

const SHARDS = ['0', '1', '2', '3', 'assets'];
const TTL = 10_000;
const silent = { info: () => undefined, warn: () => undefined, error: () => undefined };

/**
 * Fake shard workers that remember who projected what: a shard worked on by two instances at
 * once, ever, is the failure the coordinator exists to prevent.
 */
function workerRegistry() {
  const active = new Map<ShardId, string>();
  const overlaps: string[] = [];
  const started: Array<{ shard: ShardId; owner: string }> = [];
  const checks = new Map<string, (shard: ShardId) => void>();
  const failures = new Map<string, (error: unknown) => void>();
  return {
    active,
    overlaps,
    started,
    /** Runs the owner's lease check for `shard`, as a worker does before each write. */
    check: (owner: string, shard: ShardId) => checks.get(`${owner}/${shard}`)?.(shard),
    /** Makes the owner's worker on `shard` fail, as a failing store would. */
    fail: (owner: string, shard: ShardId, error: unknown) => failures.get(`${owner}/${shard}`)?.(error),
    factory:
      (owner: string) =>
      (shard: ShardId, checkLease: (shard: ShardId) => void): ShardWorker => {
        const other = active.get(shard);
        if (other !== undefined) overlaps.push(`${owner} started ${shard} while ${other} still worked on it`);
        active.set(shard, owner);
        started.push({ shard, owner });
        checks.set(`${owner}/${shard}`, checkLease);
        let finish: () => void = () => undefined;
        let fail: (error: unknown) => void = () => undefined;
        const done = new Promise<void>((resolve, reject) => {
          finish = resolve;
          fail = reject;
        });
        const end = () => {
          if (active.get(shard) === owner) active.delete(shard);
        };
        failures.set(`${owner}/${shard}`, (error) => {
          end();
          fail(error);
        });
        return {
          done,
          async stop() {
            // The batch in hand takes a moment to finish; the shard is ours until it has.
            await new Promise((resolve) => setTimeout(resolve, 5));
            end();
            finish();
          },
        };
      },
  };
}

const holder = (owner: string): LeaseHolder => ({ owner, space: 'test-space', pid: owner.length });

describe('the projection coordinator', () => {
  const running: ProjectionCoordinator[] = [];
  afterEach(async () => {
    await Promise.all(running.splice(0).map((c) => c.stop().catch(() => undefined)));
  });

  function start(owner: string, leases: LeaseStore, clock: MemoryLeases, registry: ReturnType<typeof workerRegistry>, gone: Set<string> = new Set()) {
    const coordinator = startProjectionCoordinator({
      leases,
      shards: SHARDS,
      me: holder(owner),
      isGone: (h) => gone.has(h.owner),
      startWorker: registry.factory(owner),
      log: silent,
      monotonicMs: () => clock.now,
      pollMs: 5,
      random: () => 0.5,
    });
    running.push(coordinator);
    return coordinator;
  }

  it('gives every shard to a lone instance', async () => {
    const leases = memoryLeases(TTL);
    const registry = workerRegistry();
    const a = start('a', leases, leases, registry);
    await waitFor(() => a.owned().length === SHARDS.length, { message: 'a to own every shard' });
    expect([...registry.active.values()]).toEqual(SHARDS.map(() => 'a'));
  });

  it('shares the shards evenly as instances join, never letting two work on one shard', async () => {
    const leases = memoryLeases(TTL);
    const registry = workerRegistry();
    const a = start('a', leases, leases, registry);
    await waitFor(() => a.owned().length === 5);
    const b = start('b', leases, leases, registry);
    await waitFor(() => a.owned().length === 3 && b.owned().length === 2, { message: 'a 3 and b 2 shards' });
    const c = start('c', leases, leases, registry);
    await waitFor(() => [a, b, c].every((x) => x.owned().length === 2 || x.owned().length === 1) && registry.active.size === 5, {
      message: 'two, two and one shards',
    });
    expect(new Set([...a.owned(), ...b.owned(), ...c.owned()]).size).toBe(5);
    expect(registry.overlaps).toEqual([]);
    // No shard moved more than needed: a gave b two and c one.
    expect(registry.started).toHaveLength(5 + 3);
  });

  it('takes back at once what a stopped instance hands back', async () => {
    const leases = memoryLeases(TTL);
    const registry = workerRegistry();
    const a = start('a', leases, leases, registry);
    await waitFor(() => a.owned().length === 5);
    const b = start('b', leases, leases, registry);
    await waitFor(() => b.owned().length === 2);
    await a.stop();
    // No time passes on the lease clock: only a released lease can move this fast.
    await waitFor(() => b.owned().length === 5, { message: 'b to take every shard back' });
    expect(registry.overlaps).toEqual([]);
  });

  it("waits out a silent instance's leases, then takes its shards; the silent one stops writing first", async () => {
    const leases = memoryLeases(TTL);
    const registry = workerRegistry();
    const aStore = leases.client();
    const a = start('a', aStore, leases, registry);
    await waitFor(() => a.owned().length === 5);
    aStore.down = true; // a can no longer renew: partitioned, or paused
    const b = start('b', leases.client(), leases, registry);

    leases.now += TTL / 2;
    // Give b many polls: within the TTL, a's shards are not free.
    await waitFor(() => registry.started.length === 5 && b.owned().length === 0, { timeoutMs: 200 }).catch(() => undefined);
    expect(b.owned()).toEqual([]);
    // a still holds them by its own clock, so it may write…
    expect(() => registry.check('a', '0')).not.toThrow();

    leases.now += TTL / 2;
    // …and once the TTL is over it refuses to, before anyone else has started.
    expect(() => registry.check('a', '0')).toThrow(LeaseLostError);
    await waitFor(() => b.owned().length === 5, { message: 'b to take over the lapsed shards' });
    expect(registry.started.filter((s) => s.owner === 'b').map((s) => s.shard).sort()).toEqual([...SHARDS].sort());
  });

  it('takes the shards of a holder known to be gone without waiting out the TTL', async () => {
    const leases = memoryLeases(TTL);
    const registry = workerRegistry();
    const aStore = leases.client();
    const a = start('a', aStore, leases, registry);
    await waitFor(() => a.owned().length === 5);
    aStore.down = true; // a was SIGKILLed: its leases stay until the TTL…
    const b = start('b', leases.client(), leases, registry, new Set(['a'])); // …but b can tell it is gone
    await waitFor(() => b.owned().length === 5, { message: 'b to take over from a gone holder' });
    expect(leases.now).toBe(0);
  });

  it('stops a worker whose lease was taken over, and restarts one that failed for another reason', async () => {
    const leases = memoryLeases(TTL);
    const registry = workerRegistry();
    const a = start('a', leases, leases, registry);
    await waitFor(() => a.owned().length === 5);

    registry.fail('a', '1', new Error('MongoDB went away'));
    // The lease clock moves on while we look, so the retry back-off can pass.
    await waitFor(() => (leases.now += 100) && registry.started.filter((s) => s.shard === '1').length === 2, { message: 'shard 1 restarted from its checkpoint' });
    expect(a.owned()).toContain('1');

    registry.fail('a', '2', new LeaseLostError('2', 'epoch 9 owns the shard now'));
    await waitFor(() => !a.owned().includes('2') || registry.started.filter((s) => s.shard === '2').length === 2, {
      message: 'shard 2 dropped (and perhaps taken afresh)',
    });
    expect(registry.overlaps).toEqual([]);
  });

  it('lets a lease lapse rather than renew it once another instance took it', async () => {
    const leases = memoryLeases(TTL);
    const registry = workerRegistry();
    const a = start('a', leases, leases, registry);
    await waitFor(() => a.owned().length === 5);
    // Someone else's write lands on shard 3 (an operator, or a holder that thought a was gone).
    const [shard3] = [...leases.entries()].filter(([shard]) => shard === '3');
    await leases.takeOver('3', shard3![1].revision, holder('intruder'));
    leases.now += TTL / 2; // renewal time
    await waitFor(() => !a.owned().includes('3'), { message: 'a to give up shard 3' });
    expect(() => registry.check('a', '3')).toThrow(LeaseLostError);
  });
});
