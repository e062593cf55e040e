/**
 * Shares the projection shards among the live projector instances, after Axon's tracking
 * processors (segments claimed through a token store):
 * - an instance holds a lease per shard it projects and renews it well within the TTL; a lapsed
 *   lease stops its worker before the TTL can run out at the store (`checkLease`);
 * - every instance aims at its fair share, ceil(shards / instances): one above it hands shards
 *   back after finishing the batch in hand (checkpoint written, then the lease released), so the
 *   next owner starts exactly after it and nothing is projected twice;
 * - free shards, lapsed leases and leases of holders known to be gone are taken by whoever is
 *   below its share. A dead instance's shards move within the lease TTL, at once when the
 *   holder is a process of this host that no longer exists.
 * Leases decide who should work; the store's fencing epoch (ProjectionStore.claim) guarantees that
 * an owner who lost its lease without knowing it cannot write over its successor.
 */
import { type Lease, type LeaseHolder, LeaseLostError, type LeaseStore, type Log, type ShardId } from '../ports.js';
import { repeat } from './repeat.js';
import type { ShardWorker } from './shard-worker.js';

export type CoordinatorDeps = Readonly<{
  leases: LeaseStore;
  shards: readonly ShardId[];
  me: LeaseHolder;
  /** True only when `holder` has certainly stopped: its shards need not wait out the TTL. */
  isGone(holder: LeaseHolder): boolean;
  startWorker(shard: ShardId, checkLease: (shard: ShardId) => void): ShardWorker;
  log: Log;
  /** Milliseconds on a clock that never jumps (performance.now). */
  monotonicMs?: () => number;
  /** How often to look at the leases (default: an eighth of the TTL, at most 1 s). */
  pollMs?: number;
  onOwnedChange?(owned: readonly ShardId[]): void;
  /** Test hook: draws which free shard to try first. */
  random?: () => number;
}>;

export type ProjectionCoordinator = {
  owned(): ShardId[];
  /** Stops every worker after its batch, gives the leases back and leaves. */
  stop(): Promise<void>;
};

type Held = {
  lease: Lease;
  /** Monotonic time until which the lease is surely ours (the store counts its TTL from later). */
  validUntil: number;
  renewedAt: number;
  worker: ShardWorker | null;
  failures: number;
  retryAt: number;
};

export function startProjectionCoordinator(deps: CoordinatorDeps): ProjectionCoordinator {
  const { leases, shards, me, log } = deps;
  const now = deps.monotonicMs ?? (() => performance.now());
  const random = deps.random ?? Math.random;
  const ttl = leases.ttlMs;
  const pollMs = deps.pollMs ?? Math.min(1_000, ttl / 8);
  const renewEveryMs = ttl / 4;
  // Our view of the lease ends this much before the store's: timers run late, requests take time.
  const safetyMs = Math.min(ttl / 4, 2_000);
  const held = new Map<ShardId, Held>();
  let heartbeatAt = -Infinity;
  let stopping = false;

  const report = () => deps.onOwnedChange?.([...held.keys()].sort(byShard));

  const checkLease = (shard: ShardId): void => {
    const h = held.get(shard);
    if (!h) throw new LeaseLostError(shard, 'no longer held by this instance');
    if (now() >= h.validUntil) throw new LeaseLostError(shard, 'not renewed in time');
  };

  const startWorker = (shard: ShardId, h: Held): void => {
    const worker = deps.startWorker(shard, checkLease);
    h.worker = worker;
    worker.done.then(
      () => undefined,
      (error: unknown) => {
        if (held.get(shard) !== h) return;
        h.worker = null;
        if (error instanceof LeaseLostError) {
          log.warn({ shard, err: error }, 'shard lease lost; its worker stopped');
          held.delete(shard);
          report();
          void leases.release(h.lease).catch(() => undefined);
          return;
        }
        h.failures++;
        h.retryAt = now() + Math.min(10_000, 250 * 2 ** Math.min(h.failures, 6));
        log.error({ shard, err: error, failures: h.failures }, 'shard projection failed; retrying from its checkpoint');
      },
    );
  };

  const take = (lease: Lease, requestedAt: number): void => {
    const h: Held = { lease, validUntil: requestedAt + ttl - safetyMs, renewedAt: requestedAt, worker: null, failures: 0, retryAt: 0 };
    held.set(lease.shard, h);
    startWorker(lease.shard, h);
    log.info({ shard: lease.shard, owner: me.owner }, 'shard lease acquired');
    report();
  };

  /** Stops projecting the shard after the batch in hand, then gives the lease back. */
  const handBack = async (shard: ShardId): Promise<void> => {
    const h = held.get(shard);
    if (!h) return;
    await h.worker?.stop();
    held.delete(shard);
    report();
    await leases.release(h.lease).catch((error: unknown) => log.warn({ shard, err: error }, 'could not release a shard lease; it lapses after its TTL'));
    log.info({ shard }, 'shard lease released');
  };

  async function renew(): Promise<void> {
    const at = now();
    if (at - heartbeatAt >= renewEveryMs) {
      await leases.heartbeat(me).then(() => (heartbeatAt = at), (error: unknown) => log.warn({ err: error }, 'projector heartbeat failed'));
    }
    await Promise.all(
      [...held].map(async ([shard, h]) => {
        if (at - h.renewedAt < renewEveryMs) return;
        try {
          const renewed = await leases.renew(h.lease, me);
          if (held.get(shard) !== h) return;
          if (renewed) {
            Object.assign(h, { lease: renewed, validUntil: at + ttl - safetyMs, renewedAt: at });
            return;
          }
          log.warn({ shard }, 'shard lease lapsed or taken over; stopping its worker');
          held.delete(shard);
          report();
          void h.worker?.stop();
        } catch (error) {
          // Unreachable store: keep working while the lease surely holds; checkLease stops the worker after.
          log.warn({ shard, err: error }, 'could not renew a shard lease');
        }
      }),
    );
  }

  async function balance(): Promise<void> {
    const [instances, holders] = await Promise.all([leases.instances(), leases.holders()]);
    const live = new Set(instances.filter((i) => i.owner === me.owner || !deps.isGone(i)).map((i) => i.owner));
    live.add(me.owner);
    const fair = Math.ceil(shards.length / live.size);

    if (held.size > fair) {
      // Hand back the highest-numbered shards first: fewer moves when instances come and go in turn.
      const extra = [...held.keys()].sort(byShard).slice(fair);
      for (const shard of extra) await handBack(shard);
      return;
    }
    const candidates = shards.filter((shard) => {
      if (held.has(shard)) return false;
      const holder = holders.get(shard);
      return holder === undefined || (holder.owner !== me.owner && deps.isGone(holder));
    });
    for (const shard of shuffle(candidates, random)) {
      if (held.size >= fair || stopping) break;
      const holder = holders.get(shard);
      const requestedAt = now();
      const lease = holder === undefined ? await leases.acquire(shard, me) : await leases.takeOver(shard, holder.revision, me);
      if (lease && !stopping) take(lease, requestedAt);
      else if (lease) await leases.release(lease).catch(() => undefined);
    }
  }

  function restartFailed(): void {
    for (const [shard, h] of held) if (!h.worker && now() >= h.retryAt) startWorker(shard, h);
  }

  const ticks = repeat(
    async () => {
      await renew();
      restartFailed();
      await balance();
    },
    pollMs,
    (error) => log.warn({ err: error }, 'shard balancing failed; trying again'),
  );

  return {
    owned: () => [...held.keys()].sort(byShard),
    async stop() {
      stopping = true;
      await ticks.stop();
      await Promise.all([...held.keys()].map(handBack));
      await leases.leave(me.owner).catch(() => undefined);
    },
  };
}

/** Wallet shards by number, then the asset shard. */
function byShard(a: ShardId, b: ShardId): number {
  const x = Number(a);
  const y = Number(b);
  if (Number.isNaN(x) || Number.isNaN(y)) return Number.isNaN(x) ? (Number.isNaN(y) ? a.localeCompare(b) : 1) : -1;
  return x - y;
}

function shuffle<T>(items: readonly T[], random: () => number): T[] {
  const copy = [...items];
  for (let i = copy.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [copy[i], copy[j]] = [copy[j] as T, copy[i] as T];
  }
  return copy;
}
