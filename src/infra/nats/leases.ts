/**
 * Shard leases in a NATS KV bucket whose max age is the lease TTL: a lease (`shard.<id>`) or an
 * instance's heartbeat (`instance.<owner>`) not written again within the TTL is removed by the
 * server itself. Every change of a lease is a compare-and-set on the key's revision, so two
 * instances can never both take or renew the same shard.
 */
import type { KV, NatsConnection } from 'nats';
import type { Lease, LeaseHolder, LeaseStore, ShardId } from '../../ports.js';
import { decodeJson, encodeJson } from './json.js';
import { isWrongLastSequence } from './kv-errors.js';
import { LEASES_BUCKET } from './topology.js';

const shardKey = (shard: ShardId) => `shard.${shard}`;
const instanceKey = (owner: string) => `instance.${owner}`;

type Stored = LeaseHolder & { at: string };

const holderOf = (value: Uint8Array): LeaseHolder | null => {
  try {
    const v = decodeJson(value) as Partial<Stored>;
    return typeof v.owner === 'string' && typeof v.space === 'string' && typeof v.pid === 'number' ? { owner: v.owner, space: v.space, pid: v.pid } : null;
  } catch {
    return null;
  }
};

export async function createNatsLeaseStore(nc: NatsConnection, shards: readonly ShardId[]): Promise<LeaseStore> {
  // Bind only: the bucket (and its TTL) is made by ensureStreams, never with defaults here.
  const kv: KV = await nc.jetstream().views.kv(LEASES_BUCKET, { bindOnly: true });
  const ttlMs = (await kv.status()).ttl;
  if (!(ttlMs > 0)) throw new Error(`the ${LEASES_BUCKET} bucket has no TTL: leases would never lapse`);
  const value = (holder: LeaseHolder) => encodeJson({ owner: holder.owner, space: holder.space, pid: holder.pid, at: new Date().toISOString() } satisfies Stored);

  /** A compare-and-set write: the new lease, or null when the revision moved on. */
  const swap = async (shard: ShardId, holder: LeaseHolder, write: () => Promise<number>): Promise<Lease | null> => {
    try {
      return { shard, owner: holder.owner, revision: await write() };
    } catch (error) {
      if (isWrongLastSequence(error)) return null;
      throw error;
    }
  };

  return {
    ttlMs,
    async heartbeat(holder) {
      await kv.put(instanceKey(holder.owner), value(holder));
    },
    async leave(owner) {
      await kv.delete(instanceKey(owner));
    },
    async instances() {
      const keys: string[] = [];
      for await (const key of await kv.keys('instance.>')) keys.push(key);
      const entries = await Promise.all(keys.map((key) => kv.get(key)));
      return entries.flatMap((e) => (e && e.operation === 'PUT' ? [holderOf(e.value)].filter((h): h is LeaseHolder => h !== null) : []));
    },
    async holders() {
      const entries = await Promise.all(shards.map(async (shard) => [shard, await kv.get(shardKey(shard))] as const));
      const holders = new Map<ShardId, LeaseHolder & { revision: number; renewedAt: Date }>();
      for (const [shard, entry] of entries) {
        if (!entry || entry.operation !== 'PUT') continue;
        // An unreadable value is still somebody's lease: it lapses by itself, and only then is the shard free.
        const holder = holderOf(entry.value) ?? { owner: '?', space: '?', pid: 0 };
        holders.set(shard, { ...holder, revision: entry.revision, renewedAt: entry.created });
      }
      return holders;
    },
    acquire: (shard, holder) => swap(shard, holder, () => kv.create(shardKey(shard), value(holder))),
    takeOver: (shard, revision, holder) => swap(shard, holder, () => kv.update(shardKey(shard), value(holder), revision)),
    renew: (lease, holder) => swap(lease.shard, holder, () => kv.update(shardKey(lease.shard), value(holder), lease.revision)),
    async release(lease) {
      try {
        await kv.delete(shardKey(lease.shard), { previousSeq: lease.revision });
      } catch (error) {
        // Someone else's lease by now: nothing of ours to give back.
        if (!isWrongLastSequence(error)) throw error;
      }
    },
  };
}
