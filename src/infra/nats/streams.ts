/**
 * Creates the streams and buckets idempotently at start: any number of instances may run this
 * at once; an existing stream is updated to the settings below rather than replaced. The journal's
 * topology (its shard count) is recorded once, by whoever creates it first, and read back by all.
 */
import {
  DiscardPolicy,
  type JetStreamManager,
  type KV,
  type NatsConnection,
  RetentionPolicy,
  StorageType,
  type StreamConfig,
  nanos,
} from 'nats';
import { DEFAULT_SHARD_COUNT, type JournalTopology, MAX_SHARD_COUNT } from '../../app/sharding.js';
import { decodeJson, encodeJson } from './json.js';
import { isWrongLastSequence } from './kv-errors.js';
import { ATTEMPTS_BUCKET, JOURNAL_SUBJECTS, LEASES_BUCKET, OUTCOMES_BUCKET, SNAPSHOTS_BUCKET, STREAMS, TOPOLOGY_BUCKET, TOPOLOGY_KEY } from './topology.js';

const MINUTE = 60_000;
const DAY = 24 * 60 * MINUTE;
export const DEFAULT_LEASE_TTL_MS = 8_000;

export type StreamOptions = Readonly<{
  replicas?: number;
  /** Wallet shards of a journal created now; an existing journal keeps the count it was created with. */
  shards?: number;
  /** Lease TTL of a lease bucket created now; an existing bucket keeps its own. */
  leaseTtlMs?: number;
}>;

export type Topology = JournalTopology & Readonly<{ leaseTtlMs: number }>;

export const streamConfigs = (replicas = 1): Partial<StreamConfig>[] => [
  {
    name: STREAMS.commands,
    description: 'Commands from the API to the processor; Nats-Msg-Id is the commandId',
    subjects: ['cmd.wallet.*', 'cmd.asset.*'],
    // A work queue: a command is gone once a processor acked it; its outcome lives in COMMAND_OUTCOMES.
    retention: RetentionPolicy.Workqueue,
    storage: StorageType.File,
    duplicate_window: nanos(2 * MINUTE),
    num_replicas: replicas,
    discard: DiscardPolicy.Old,
  },
  {
    name: STREAMS.journal,
    description: 'The event journal: source of truth for wallets (evt.wallet.<shard>.<walletId>) and assets (evt.asset.<code>)',
    subjects: [...JOURNAL_SUBJECTS],
    retention: RetentionPolicy.Limits,
    storage: StorageType.File,
    max_age: 0,
    duplicate_window: nanos(2 * MINUTE),
    deny_delete: true,
    deny_purge: true,
    allow_direct: true,
    num_replicas: replicas,
  },
  {
    name: STREAMS.dlq,
    description: 'Messages a consumer could not handle, with the error and origin in headers',
    subjects: ['dlq.>'],
    retention: RetentionPolicy.Limits,
    storage: StorageType.File,
    max_age: nanos(30 * DAY),
    num_replicas: replicas,
  },
];

export async function ensureStreams(nc: NatsConnection, jsm: JetStreamManager, opts: StreamOptions = {}): Promise<Topology> {
  const replicas = opts.replicas ?? 1;
  await refuseUnshardedJournal(jsm);
  for (const config of streamConfigs(replicas)) {
    const name = config.name as string;
    try {
      await jsm.streams.info(name);
      await jsm.streams.update(name, config);
    } catch (error) {
      if (!isNotFound(error)) throw error;
      try {
        await jsm.streams.add(config);
      } catch (raced) {
        // Another instance created it between our info and add: same config, nothing to do.
        if (!String((raced as Error).message).includes('already in use')) throw raced;
      }
    }
  }
  const views = nc.jetstream().views;
  await views.kv(OUTCOMES_BUCKET, {
    description: 'Fate of each command (QUEUED, ACCEPTED, REJECTED), kept 7 days past JetStream dedupe',
    history: 1,
    ttl: 7 * DAY,
    storage: StorageType.File,
    replicas,
  });
  await views.kv(ATTEMPTS_BUCKET, {
    description: 'Where each command was about to append its event (first attempt kept): read after a crash between append and outcome',
    history: 1,
    ttl: 7 * DAY,
    storage: StorageType.File,
    replicas,
  });
  await views.kv(SNAPSHOTS_BUCKET, {
    description: 'Latest snapshot per aggregate (wallet.<id>, asset.<code>): state, journal sequence, shape version; derived from the journal, safe to purge',
    history: 1,
    storage: StorageType.File,
    // A wallet snapshot is a few kB (its balances, open transfers and 128 recent command ids).
    maxValueSize: 1024 * 1024,
    replicas,
  });
  const topologyKv = await views.kv(TOPOLOGY_BUCKET, { description: 'Facts fixed when the journal was created: its shard count', history: 1, storage: StorageType.File, replicas });
  const shards = await recordedShards(topologyKv, opts.shards ?? DEFAULT_SHARD_COUNT);
  const leases = await views.kv(LEASES_BUCKET, {
    description: 'Projection shard leases (key shard.<id>) and live projector instances (key instance.<id>), expiring after the lease TTL',
    history: 1,
    ttl: opts.leaseTtlMs ?? DEFAULT_LEASE_TTL_MS,
    storage: StorageType.File,
    replicas,
  });
  return { shards, leaseTtlMs: (await leases.status()).ttl };
}

/** The topology of an existing journal, for operator commands that must not create anything. */
export async function readTopology(nc: NatsConnection): Promise<Topology> {
  const views = nc.jetstream().views;
  const missing = (what: string) => (error: unknown) => {
    throw new Error(`no ${what} in this NATS (${String((error as Error).message)}): has JetLedger ever started here?`, { cause: error });
  };
  const topologyKv = await views.kv(TOPOLOGY_BUCKET, { bindOnly: true }).catch(missing(`${TOPOLOGY_BUCKET} bucket`));
  const leases = await views.kv(LEASES_BUCKET, { bindOnly: true }).catch(missing(`${LEASES_BUCKET} bucket`));
  const entry = await topologyKv.get(TOPOLOGY_KEY);
  const shards = entry ? validShards((decodeJson(entry.value) as { shards?: unknown }).shards) : null;
  if (shards === null) throw new Error(`${TOPOLOGY_BUCKET}/${TOPOLOGY_KEY} holds no valid shard count`);
  return { shards, leaseTtlMs: (await leases.status()).ttl };
}

const validShards = (n: unknown): number | null => (typeof n === 'number' && Number.isInteger(n) && n >= 1 && n <= MAX_SHARD_COUNT ? n : null);

/** The shard count the journal was created with; recorded now (first writer wins) when there is none. */
async function recordedShards(kv: KV, wanted: number): Promise<number> {
  if (validShards(wanted) === null) throw new Error(`the shard count must be 1..${MAX_SHARD_COUNT}, not ${wanted}`);
  try {
    await kv.create(TOPOLOGY_KEY, encodeJson({ shards: wanted, recordedAt: new Date().toISOString() }));
  } catch (error) {
    if (!isWrongLastSequence(error)) throw error;
  }
  const entry = await kv.get(TOPOLOGY_KEY);
  const shards = entry ? validShards((decodeJson(entry.value) as { shards?: unknown }).shards) : null;
  if (shards === null) throw new Error(`${TOPOLOGY_BUCKET}/${TOPOLOGY_KEY} holds no valid shard count: ${entry ? new TextDecoder().decode(entry.value) : 'nothing'}`);
  return shards;
}

/**
 * A journal from before sharding keeps wallet events on `evt.wallet.<walletId>`, where no shard
 * reader would find them: refuse to start on it rather than silently project nothing.
 */
async function refuseUnshardedJournal(jsm: JetStreamManager): Promise<void> {
  const info = await jsm.streams.info(STREAMS.journal, { subjects_filter: 'evt.wallet.*' }).catch((error: unknown) => {
    if (isNotFound(error)) return null;
    throw error;
  });
  if (info && Object.keys(info.state.subjects ?? {}).length > 0) {
    throw new Error(
      'the JOURNAL stream holds wallet events on unsharded subjects (evt.wallet.<walletId>) written by an older JetLedger; ' +
        'this version reads evt.wallet.<shard>.<walletId>. Start with an empty NATS store (for `npm start`: remove DATA_DIR/nats).',
    );
  }
}

export const isNotFound = (error: unknown): boolean => {
  const e = error as { code?: string; api_error?: { err_code?: number }; message?: string };
  return e?.api_error?.err_code === 10059 || e?.code === '404' || /not found/i.test(e?.message ?? '');
};
