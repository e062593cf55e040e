/**
 * A blue/green rebuild of the read models: the journal projected into a fresh generation while the
 * live one keeps serving, then one switch. How it goes, and why in that order:
 *
 * 1. It takes the rebuild lock (a lease like a shard's), so two rebuilds never build at once.
 * 2. It replays the journal into the new generation up to the end the journal had when it looked,
 *    again and again until what is left is small (`tailEvents`): projectors keep the live read
 *    models current meanwhile, and nothing here touches them.
 * 3. It takes every shard lease, from the projectors that hold them (a compare-and-set on the lease's
 *    revision: a projector's next renewal fails and it stops its worker) or free ones. A projector
 *    that has not noticed yet still counts its lease valid for up to one TTL after its last renewal,
 *    so, having taken a live projector's lease, the rebuild waits out one TTL: after that no old
 *    owner writes or announces anything (each checks its lease before every write and every
 *    notification). The live read models stop moving: for the TTL and the tail, reads are that much behind.
 * 4. It replays the tail into the new generation, up to the journal's end as of now.
 * 5. It switches the active generation (one write, see generations.ts), then hands the leases back.
 *    Projectors take their shards again, claim them in the now active generation and continue from
 *    the checkpoints the rebuild left. A projector that had claimed before the switch can only
 *    write the old generation (its claim is bound to it), so nothing stale reaches the new one.
 *
 * Killed anywhere, it leaves the live generation serving and untouched: its leases lapse within
 * their TTL (at once for projectors on the same host, which see the process gone), and run again
 * it resumes the same generation from that generation's checkpoints (replays are idempotent).
 * Killed after the switch, the new generation is simply the live one.
 */
import type { JournalTopology } from './sharding.js';
import { replayInto } from './replay.js';
import type { Lease, LeaseHolder, LeaseStore, Log, ProjectionStore, ShardId, StoredEvent } from '../ports.js';

/** The lease whose holder may rebuild; it lives in the same store as the shard leases. */
export const REBUILD_LOCK: ShardId = 'rebuild';

export type RebuildPhase = 'build' | 'leases' | 'tail' | 'switch';

export type RebuildProgress = Readonly<{
  phase: RebuildPhase;
  /** Journal events replayed into the new generation so far. */
  done: number;
  /** Journal events to replay in all, as far as is known now (it grows while the journal does). */
  total: number;
}>;

export type RebuildDeps = Readonly<{
  /** The generation being built. */
  target: ProjectionStore;
  journal: Readonly<{
    /** The journal's last sequence now. */
    end(): Promise<number>;
    /** Its events after `afterSeq` up to `uptoSeq`, in order, in batches. */
    batches(afterSeq: number, uptoSeq: number): AsyncIterable<readonly StoredEvent[]>;
  }>;
  topology: JournalTopology;
  leases: LeaseStore;
  /** Every projection shard: all of their leases are taken before the switch. */
  shards: readonly ShardId[];
  me: LeaseHolder;
  /** True only when `holder` has certainly stopped (a dead process of this host): its lease need not be waited out. */
  isGone(holder: LeaseHolder): boolean;
  /** Runs once the rebuild lock is held, before anything is replayed (the command clears old generations there). */
  prepare?: () => Promise<void>;
  /** Makes the target generation the active one. */
  activate(): Promise<void>;
  onProgress?: (progress: RebuildProgress) => void;
  log?: Log;
  /** Stop the catch-up rounds and take the leases once at most this many events are left (default 2,000). */
  tailEvents?: number;
  /** Waits between lease attempts; tests pass their own. */
  sleep?: (ms: number) => Promise<void>;
}>;

export type RebuildResult = Readonly<{ events: number; lastSeq: number; rounds: number }>;

export class RebuildLockedError extends Error {
  constructor(readonly owner: string) {
    super(`another rebuild is running (${owner}); wait for it, or for its lease to lapse if it was killed`);
    this.name = 'RebuildLockedError';
  }
}

const MAX_ROUNDS = 10;

export async function rebuildGeneration(deps: RebuildDeps): Promise<RebuildResult> {
  const { target, journal, leases, me, log } = deps;
  const sleep = deps.sleep ?? ((ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms)));
  const tailEvents = deps.tailEvents ?? 2_000;
  const held = new Map<ShardId, Lease>();
  const keeper = keepRenewed(leases, held, me, log);
  let takenFromLive: number | null = null;
  const take = (shard: ShardId, wait: boolean) =>
    takeLease(shard, deps, wait, sleep, (lease, at, fromLive) => {
      held.set(shard, lease);
      keeper.taken(shard, at);
      if (fromLive) takenFromLive = performance.now();
    });
  try {
    await take(REBUILD_LOCK, false);
    await deps.prepare?.();
    // Where an interrupted run of this generation stopped (the lowest shard checkpoint), or the start.
    const checkpoints = (await target.checkpoints()).map((c) => c.seq);
    const start = checkpoints.length === 0 ? 0 : Math.min(...checkpoints);
    let reached = start;
    let done = 0;
    let end = await journal.end();
    const report = (phase: RebuildPhase) => deps.onProgress?.({ phase, done, total: end - start });
    const replay = async (phase: RebuildPhase, upto: number) => {
      async function* counted() {
        for await (const batch of journal.batches(reached, upto)) {
          yield batch;
          done += batch.length;
          report(phase);
        }
      }
      reached = Math.max(reached, await replayInto(target, counted(), deps.topology));
    };

    report('build');
    let rounds = 0;
    while (end - reached > tailEvents && rounds < MAX_ROUNDS) {
      rounds++;
      await replay('build', end);
      end = await journal.end();
    }

    report('leases');
    for (const shard of deps.shards) await take(shard, true);
    if (takenFromLive !== null) {
      const wait = leases.ttlMs - (performance.now() - takenFromLive);
      if (wait > 0) await sleep(wait);
    }
    end = await journal.end();
    report('tail');
    await replay('tail', end);

    report('switch');
    await keeper.confirm();
    await deps.activate();
    log?.info({ lastSeq: reached, rounds: rounds + 1 }, 'read models rebuilt into a new generation and switched over');
    return { events: done, lastSeq: reached, rounds: rounds + 1 };
  } finally {
    await keeper.stop();
    await Promise.all([...held.values()].map((lease) => leases.release(lease).catch(() => undefined)));
  }
}

/**
 * Takes `shard`'s lease: a free one at once, a dead holder's at once, a live projector's by
 * compare-and-set on its revision (retried: the projector renews while we try). Without `wait`
 * a live holder is an error (the rebuild lock).
 */
async function takeLease(
  shard: ShardId,
  deps: RebuildDeps,
  wait: boolean,
  sleep: (ms: number) => Promise<void>,
  onTaken: (lease: Lease, at: number, fromLive: boolean) => void,
): Promise<void> {
  const { leases, me } = deps;
  for (let attempt = 1; ; attempt++) {
    const at = performance.now();
    const holder = (await leases.holders()).get(shard);
    let lease: Lease | null;
    if (holder === undefined) lease = await leases.acquire(shard, me);
    else if (holder.owner === me.owner || wait || deps.isGone(holder)) lease = await leases.takeOver(shard, holder.revision, me);
    else throw new RebuildLockedError(holder.owner);
    if (lease) {
      onTaken(lease, at, holder !== undefined && holder.owner !== me.owner && !deps.isGone(holder));
      return;
    }
    if (attempt >= 50) throw new Error(`could not take the lease of shard ${shard} after ${attempt} attempts`);
    await sleep(Math.min(200, 10 * attempt));
  }
}

/**
 * Renews every lease in `held` a few times per TTL. `confirm` renews them all once more and
 * throws unless every one is surely still ours: renewed just now, within the TTL less a safety
 * margin (timers run late, requests take time). It runs right before the switch: a shard whose
 * lease lapsed may have been taken by a projector, whose claim would then be bound to the old
 * generation after the switch, and the rebuild must not switch under it.
 */
function keepRenewed(leases: LeaseStore, held: Map<ShardId, Lease>, me: LeaseHolder, log?: Log) {
  const safetyMs = Math.min(leases.ttlMs / 4, 2_000);
  const renewedAt = new Map<ShardId, number>();
  let lost: string | null = null;
  const renewAll = async () => {
    for (const [shard, lease] of [...held]) {
      const at = performance.now();
      try {
        const renewed = await leases.renew(lease, me);
        if (renewed) {
          held.set(shard, renewed);
          renewedAt.set(shard, at);
        } else {
          held.delete(shard);
          lost ??= shard;
        }
      } catch (error) {
        log?.warn({ shard, err: error }, 'could not renew a rebuild lease');
      }
    }
  };
  let running: Promise<void> = Promise.resolve();
  const timer = setInterval(() => {
    running = running.then(renewAll);
  }, leases.ttlMs / 4);
  return {
    /** Called when a lease is taken: it counts as renewed then. */
    taken(shard: ShardId, at: number) {
      renewedAt.set(shard, at);
    },
    /** Renews every lease now, then checks: right before the switch, every lease must be surely ours. */
    async confirm() {
      await (running = running.then(renewAll));
      this.check();
    },
    check() {
      const now = performance.now();
      const stale = [...held.keys()].find((shard) => now - (renewedAt.get(shard) ?? -Infinity) > leases.ttlMs - safetyMs);
      const problem = lost ?? stale;
      if (problem !== undefined && problem !== null) {
        throw new Error(`the lease of ${problem} may have lapsed during the rebuild: a projector may hold it now; nothing was switched, run the rebuild again`);
      }
    },
    async stop() {
      clearInterval(timer);
      await running;
    },
  };
}
