/**
 * Which projection shard an aggregate belongs to. Wallets spread over `count` shards by a stable
 * hash of their id (FNV-1a, 32 bits: the same id gives the same shard in every process and
 * release); the asset catalog is a shard of its own, so its rare events never wait behind wallets.
 */
import type { EventEnvelope } from '../domain/events.js';
import type { AggregateRef, ShardId } from '../ports.js';

export const ASSET_SHARD: ShardId = 'assets';

export const DEFAULT_SHARD_COUNT = 16;
export const MAX_SHARD_COUNT = 256;

/** Fixed when the journal is created and read back by every role: changing it would move wallets between shards. */
export type JournalTopology = Readonly<{ shards: number }>;

/** The wallet's shard number, 0 … count-1. Ids are ASCII subject tokens, so char codes are bytes. */
export function shardOf(walletId: string, count: number): number {
  let hash = 0x811c9dc5;
  for (let i = 0; i < walletId.length; i++) {
    hash ^= walletId.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193) >>> 0;
  }
  return hash % count;
}

export const walletShard = (walletId: string, topology: JournalTopology): ShardId => String(shardOf(walletId, topology.shards));

export const shardOfAggregate = (ref: AggregateRef, topology: JournalTopology): ShardId =>
  ref.kind === 'asset' ? ASSET_SHARD : walletShard(ref.id, topology);

export const shardOfEvent = (event: EventEnvelope, topology: JournalTopology): ShardId =>
  event.walletId === undefined ? ASSET_SHARD : walletShard(event.walletId, topology);

/** Every shard of the journal, wallets first. */
export const allShards = (topology: JournalTopology): ShardId[] => [...Array.from({ length: topology.shards }, (_, i) => String(i)), ASSET_SHARD];
