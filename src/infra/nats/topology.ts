/**
 * Names of everything JetLedger keeps in NATS. The stream and subject names are a public
 * contract (contract/events.md): operators and other services read them with the NATS CLI.
 *
 * Journal subjects carry the projection shard: `evt.wallet.<shard>.<walletId>`, `evt.asset.<code>`.
 * With the shard in the subject, each shard's reader asks the server for its own events
 * (`evt.wallet.3.*`) on nats-server 2.9, which allows one filter subject per consumer; a reader
 * that filtered itself would pull the whole journal once per shard (scripts/bench/shard-filter.ts
 * measured 4x slower for 16 shards). Operators who do not know a wallet's shard use a wildcard:
 * `evt.wallet.*.<walletId>`.
 */
import { type JournalTopology, walletShard } from '../../app/sharding.js';
import { ASSET_SHARD } from '../../app/sharding.js';
import type { AggregateRef, ShardId } from '../../ports.js';

export const STREAMS = { commands: 'COMMANDS', journal: 'JOURNAL', dlq: 'DLQ' } as const;
export const OUTCOMES_BUCKET = 'COMMAND_OUTCOMES';
/** Facts fixed when the journal is created (the shard count), read back by every role. */
export const TOPOLOGY_BUCKET = 'JOURNAL_TOPOLOGY';
export const TOPOLOGY_KEY = 'journal';
/** Projection shard leases and the live projector instances, expiring after the lease TTL. */
export const LEASES_BUCKET = 'PROJECTION_LEASES';
/** The latest snapshot of each aggregate (key `wallet.<id>`, `asset.<code>`): derived, safe to purge. */
export const SNAPSHOTS_BUCKET = 'AGGREGATE_SNAPSHOTS';
/** Write-ahead notes of appends per command id (see AttemptLog), kept as long as outcomes. */
export const ATTEMPTS_BUCKET = 'COMMAND_ATTEMPTS';

export const CONSUMERS = {
  processor: 'processor',
  saga: 'transfer-saga',
} as const;

export const JOURNAL_SUBJECTS = ['evt.wallet.*.*', 'evt.asset.*'] as const;
export const WALLET_EVENTS = 'evt.wallet.*.*';

export const commandSubject = (ref: AggregateRef): string => `cmd.${ref.kind}.${ref.id}`;
export const journalSubject = (ref: AggregateRef, topology: JournalTopology): string =>
  ref.kind === 'asset' ? `evt.asset.${ref.id}` : `evt.wallet.${walletShard(ref.id, topology)}.${ref.id}`;
/** Every journal subject of one shard: the filter of its projection reader. */
export const shardSubjects = (shard: ShardId): string => (shard === ASSET_SHARD ? 'evt.asset.*' : `evt.wallet.${shard}.*`);
export const dlqSubject = (stream: string, consumer: string): string => `dlq.${stream}.${consumer}`;

/** Ids become subject tokens: only characters that cannot split or wildcard a subject. */
export const isSubjectToken = (id: string): boolean => /^[A-Za-z0-9_-]{1,64}$/.test(id);
