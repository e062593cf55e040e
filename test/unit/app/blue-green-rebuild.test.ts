/**
 * The rebuild's protocol over in-memory leases and a recording projection store: which leases it
 * holds when it switches, what it leaves behind, and when it refuses to switch at all.
 */
import { describe, expect, it } from 'vitest';
import { REBUILD_LOCK, RebuildLockedError, type RebuildDeps, rebuildGeneration } from '../../../src/app/blue-green-rebuild.js';
import type { ProjectionStore, ShardId, StoredEvent } from '../../../src/ports.js';
import { walletHistory } from '../../support/journal-fixture.js';
import { memoryLeases } from '../../support/memory-leases.js';

const SHARDS: ShardId[] = ['0', '1', 'assets'];
const me = { owner: 'rebuilder', space: 'here', pid: 1 };
const projector = { owner: 'projector', space: 'here', pid: 2 };

/** A target generation that only keeps checkpoints (what the protocol reads) and counts writes. */
function recordingStore(): ProjectionStore & { writes: number; seqs: () => number[] } {
  const checkpoints = new Map<ShardId, { seq: number; epoch: number }>();
  let epochs = 0;
  const store = {
    writes: 0,
    seqs: () => [...checkpoints.values()].map((c) => c.seq),
    checkpoints: async () => [...checkpoints].map(([shard, c]) => ({ shard, ...c })),
    claim: async (shard: ShardId) => {
      const epoch = ++epochs;
      const seq = checkpoints.get(shard)?.seq ?? 0;
      checkpoints.set(shard, { seq, epoch });
      return { epoch, checkpoint: seq };
    },
    write: async () => void store.writes++,
    advance: async (seq: number, fence: { shard: ShardId; epoch: number }) => {
      if (checkpoints.get(fence.shard)?.epoch !== fence.epoch) throw new Error('fenced');
      checkpoints.set(fence.shard, { seq, epoch: fence.epoch });
    },
  };
  return store;
}

/** A journal of `n` events that grows by `grow` each time its end is asked for, until `cap`. */
function growingJournal(n: number, grow = 0, cap = n) {
  const events: StoredEvent[] = walletHistory('w', cap).map((event, i) => ({ seq: i + 1, event }));
  let end = n;
  return {
    end: async () => {
      const now = end;
      end = Math.min(cap, end + grow);
      return now;
    },
    async *batches(afterSeq: number, uptoSeq: number) {
      for (let from = afterSeq; from < uptoSeq; from += 100) yield events.slice(from, Math.min(uptoSeq, from + 100));
    },
  };
}

function setup(overrides: Partial<RebuildDeps> = {}) {
  const leases = memoryLeases(60_000);
  const target = recordingStore();
  const switches: Array<Map<ShardId, string>> = [];
  const waits: number[] = [];
  const deps: RebuildDeps = {
    target,
    journal: growingJournal(1_000),
    topology: { shards: 2 },
    leases,
    shards: SHARDS,
    me,
    isGone: () => false,
    // What the lease store says at the moment of the switch.
    activate: async () => void switches.push(new Map([...leases.entries()].map(([shard, e]) => [shard, e.holder.owner]))),
    tailEvents: 100,
    sleep: async (ms) => void waits.push(ms),
    ...overrides,
  };
  return { leases, target, switches, waits, deps };
}

describe('a blue/green rebuild', () => {
  it('replays the journal, switches while it holds every shard lease, then gives them all back', async () => {
    const { leases, target, switches, waits, deps } = setup();
    const result = await rebuildGeneration(deps);
    expect(result).toMatchObject({ lastSeq: 1_000, events: 1_000 });
    // Free leases: no old owner to wait out.
    expect(waits).toEqual([]);
    expect(target.seqs()).toEqual([1_000, 1_000, 1_000]);
    expect(switches).toEqual([new Map([...SHARDS, REBUILD_LOCK].map((s) => [s, 'rebuilder']))]);
    expect(leases.entries().size).toBe(0);
  });

  it('takes the shards of a running projector for the tail, and catches up with a journal that grew meanwhile', async () => {
    const { leases, target, switches, waits, deps } = setup({ journal: growingJournal(1_000, 400, 3_000) });
    for (const shard of SHARDS) await leases.acquire(shard, projector);
    const progress: string[] = [];
    const result = await rebuildGeneration({ ...deps, onProgress: (p) => progress.push(p.phase) });
    // Taken from a live projector: one lease TTL waited out, so it has surely stopped writing.
    expect(waits).toHaveLength(1);
    expect(waits[0]).toBeGreaterThan(59_000);
    expect(switches[0]?.get('0')).toBe('rebuilder');
    // Every event up to the end the journal had once the leases were held.
    expect(result.lastSeq).toBe(3_000);
    expect(target.seqs()).toEqual([3_000, 3_000, 3_000]);
    expect(result.rounds).toBeGreaterThan(1);
    expect(progress).toEqual(expect.arrayContaining(['build', 'leases', 'tail', 'switch']));
    expect(leases.entries().size).toBe(0);
  });

  it('refuses to run beside another rebuild, and touches nothing', async () => {
    const { leases, target, switches, deps } = setup();
    await leases.acquire(REBUILD_LOCK, { owner: 'other-rebuild', space: 'there', pid: 9 });
    await expect(rebuildGeneration(deps)).rejects.toBeInstanceOf(RebuildLockedError);
    expect(switches).toEqual([]);
    expect(target.writes).toBe(0);
  });

  it("takes over the lock of a rebuild that was killed (its process is gone), and resumes where it stopped", async () => {
    const { leases, target, deps } = setup();
    await leases.acquire(REBUILD_LOCK, { owner: 'killed-rebuild', space: 'here', pid: 99 });
    for (const shard of SHARDS) await target.claim(shard);
    for (const [shard, c] of await target.checkpoints().then((cs) => cs.map((x) => [x.shard, x] as const))) await target.advance(600, { shard, epoch: c.epoch, check: () => undefined });
    const result = await rebuildGeneration({ ...deps, isGone: (holder) => holder.pid === 99 });
    expect(result).toMatchObject({ lastSeq: 1_000, events: 400 });
  });

  it('does not switch when a shard lease slipped away before the switch', async () => {
    const { leases, switches, deps } = setup({
      journal: {
        end: async () => 1_000,
        async *batches(afterSeq, uptoSeq) {
          // During the tail, a projector takes shard 1 (as if the rebuild's lease had lapsed).
          if (afterSeq > 0 || uptoSeq < 1_000) return;
          const holder = (await leases.holders()).get('1');
          if (holder?.owner === 'rebuilder') await leases.takeOver('1', holder.revision, projector);
          yield walletHistory('w', 1_000).map((event, i) => ({ seq: i + 1, event }));
        },
      },
      tailEvents: 10_000,
    });
    await expect(rebuildGeneration(deps)).rejects.toThrow(/lease of 1 may have lapsed/);
    expect(switches).toEqual([]);
    // The projector keeps what it took; the rest is given back.
    expect([...leases.entries()].map(([shard, e]) => [shard, e.holder.owner])).toEqual([['1', 'projector']]);
  });
});
