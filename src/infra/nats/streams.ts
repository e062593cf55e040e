/**
 * Creates the streams and buckets idempotently at start: any number of instances may run this
 * at once; an existing stream is updated to the settings below rather than replaced.
 */
import {
  DiscardPolicy,
  type JetStreamManager,
  type NatsConnection,
  RetentionPolicy,
  StorageType,
  type StreamConfig,
  nanos,
} from 'nats';
import { OUTCOMES_BUCKET, STREAMS } from './topology.js';

const MINUTE = 60_000;
const DAY = 24 * 60 * MINUTE;

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
    description: 'The event journal: source of truth for wallets and assets',
    subjects: ['evt.wallet.*', 'evt.asset.*'],
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

export async function ensureStreams(nc: NatsConnection, jsm: JetStreamManager, replicas = 1): Promise<void> {
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
  await nc.jetstream().views.kv(OUTCOMES_BUCKET, {
    description: 'Fate of each command (QUEUED, ACCEPTED, REJECTED), kept 7 days past JetStream dedupe',
    history: 1,
    ttl: 7 * DAY,
    storage: StorageType.File,
    replicas,
  });
}

export const isNotFound = (error: unknown): boolean => {
  const e = error as { code?: string; api_error?: { err_code?: number }; message?: string };
  return e?.api_error?.err_code === 10059 || e?.code === '404' || /not found/i.test(e?.message ?? '');
};
