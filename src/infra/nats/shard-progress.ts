/** How far a shard's journal goes, and how much of it lies beyond a checkpoint: for `status` and lag checks. */
import { AckPolicy, DeliverPolicy, type JetStreamManager, nanos } from 'nats';
import type { ShardId } from '../../ports.js';
import { isNotFound } from './streams.js';
import { STREAMS, shardSubjects } from './topology.js';

export type ShardProgress = Readonly<{ lastSeq: number; pending: number }>;

/** The shard's last journal sequence (0 when it has no event), and how many of its events follow `afterSeq`. */
export async function shardProgress(jsm: JetStreamManager, shard: ShardId, afterSeq: number): Promise<ShardProgress> {
  const lastSeq = await jsm.streams.getMessage(STREAMS.journal, { last_by_subj: shardSubjects(shard) }).then(
    (m) => m.seq,
    (error: unknown) => {
      if (isNotFound(error)) return 0;
      throw error;
    },
  );
  if (lastSeq <= afterSeq) return { lastSeq, pending: 0 };
  // The server counts for us: an ephemeral consumer positioned after the checkpoint, never pulled from.
  const info = await jsm.consumers.add(STREAMS.journal, {
    description: `jetledger: lag of shard ${shard}`,
    ack_policy: AckPolicy.None,
    deliver_policy: DeliverPolicy.StartSequence,
    opt_start_seq: afterSeq + 1,
    filter_subject: shardSubjects(shard),
    inactive_threshold: nanos(5_000),
    mem_storage: true,
  });
  await jsm.consumers.delete(STREAMS.journal, info.name).catch(() => undefined);
  // nats-server 2.9 sometimes answers a fresh consumer's pending count with 2^64-1: a shard cannot
  // have more events after the checkpoint than there are sequences after it.
  return { lastSeq, pending: Math.min(info.num_pending, lastSeq - afterSeq) };
}
