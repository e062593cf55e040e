/**
 * An in-memory LeaseStore with the NATS bucket's semantics (TTL from the last write, compare-and-
 * set on revisions, one revision counter for the whole bucket), on a clock the test moves.
 */
import type { Lease, LeaseHolder, LeaseStore, ShardId } from '../../src/ports.js';

type Entry = { holder: LeaseHolder; revision: number; writtenAt: number };

export type MemoryLeases = LeaseStore & {
  /** The test's clock, in ms. */
  now: number;
  entries(): ReadonlyMap<ShardId, Entry>;
  /** Makes every call fail, as an unreachable NATS would. */
  down: boolean;
  /** Another client of the same bucket, with a `down` switch of its own. */
  client(): LeaseStore & { down: boolean };
};

export function memoryLeases(ttlMs: number): MemoryLeases {
  const shards = new Map<ShardId, Entry>();
  const instances = new Map<string, Entry>();
  let revision = 0;
  const live = (map: Map<string, Entry>, key: string, now: number): Entry | undefined => {
    const entry = map.get(key);
    if (entry && now - entry.writtenAt >= ttlMs) map.delete(key);
    return map.get(key);
  };
  const store: MemoryLeases = {
    client: () => {
      throw new Error('set below');
    },
    ttlMs,
    now: 0,
    down: false,
    entries() {
      for (const key of [...shards.keys()]) live(shards, key, store.now);
      return shards;
    },
    async heartbeat(holder) {
      reachable();
      instances.set(holder.owner, { holder, revision: ++revision, writtenAt: store.now });
    },
    async leave(owner) {
      reachable();
      instances.delete(owner);
    },
    async instances() {
      reachable();
      for (const key of [...instances.keys()]) live(instances, key, store.now);
      return [...instances.values()].map((e) => e.holder);
    },
    async holders() {
      reachable();
      const result = new Map<ShardId, LeaseHolder & { revision: number; renewedAt: Date }>();
      for (const [shard, e] of store.entries()) result.set(shard, { ...e.holder, revision: e.revision, renewedAt: new Date(e.writtenAt) });
      return result;
    },
    async acquire(shard, holder) {
      reachable();
      if (live(shards, shard, store.now)) return null;
      return write(shard, holder);
    },
    async takeOver(shard, expected, holder) {
      reachable();
      return live(shards, shard, store.now)?.revision === expected ? write(shard, holder) : null;
    },
    async renew(lease, holder) {
      reachable();
      return live(shards, lease.shard, store.now)?.revision === lease.revision ? write(lease.shard, holder) : null;
    },
    async release(lease) {
      reachable();
      if (live(shards, lease.shard, store.now)?.revision === lease.revision) shards.delete(lease.shard);
    },
  };
  store.client = () => {
    const client = { down: false } as LeaseStore & { down: boolean };
    const guard =
      <A extends unknown[], R>(f: (...args: A) => Promise<R>) =>
      async (...args: A): Promise<R> => {
        if (client.down) throw new Error('lease store unreachable');
        return f(...args);
      };
    return Object.assign(client, {
      ttlMs,
      heartbeat: guard(store.heartbeat),
      leave: guard(store.leave),
      instances: guard(store.instances),
      holders: guard(store.holders),
      acquire: guard(store.acquire),
      takeOver: guard(store.takeOver),
      renew: guard(store.renew),
      release: guard(store.release),
    });
  };
  function write(shard: ShardId, holder: LeaseHolder): Lease {
    const entry = { holder, revision: ++revision, writtenAt: store.now };
    shards.set(shard, entry);
    return { shard, owner: holder.owner, revision: entry.revision };
  }
  function reachable(): void {
    if (store.down) throw new Error('lease store unreachable');
  }
  return store;
}
