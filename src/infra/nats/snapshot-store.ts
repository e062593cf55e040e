/**
 * Aggregate snapshots in a NATS KV bucket, one key per aggregate, the latest only. Each value is
 * a SHA-256 of the body, a newline, then the body (the snapshot as JSON): a value that fails the
 * checksum or does not have the snapshot's shape is reported as no snapshot at all, so nothing
 * damaged ever reaches a fold. Whether the state inside decodes, and whether the journal agrees with
 * it, the app checks (aggregate-repository.ts).
 */
import { createHash } from 'node:crypto';
import type { KV, NatsConnection } from 'nats';
import { z } from 'zod';
import type { AggregateRef, AggregateSnapshot, Log, SnapshotStore } from '../../ports.js';
import { SNAPSHOTS_BUCKET } from './topology.js';

const count = z.number().int().nonnegative();
const snapshotSchema = z.object({
  shape: count,
  version: count.min(1),
  seq: count.min(1),
  lastEventId: z.string().min(1),
  lastOccurredAt: z.string().min(1),
  recent: z.array(z.object({ commandId: z.string().min(1), version: count, seq: count })),
  state: z.unknown(),
});

export const snapshotKey = (ref: AggregateRef): string => `${ref.kind}.${ref.id}`;

const sha256 = (text: string): string => createHash('sha256').update(text).digest('hex');
const encoder = new TextEncoder();
const decoder = new TextDecoder();

export function encodeSnapshot(snapshot: AggregateSnapshot): Uint8Array {
  const body = JSON.stringify(snapshot);
  return encoder.encode(`${sha256(body)}\n${body}`);
}

/** The snapshot a stored value holds, or why it holds none. */
export function decodeSnapshot(value: Uint8Array): AggregateSnapshot | { damaged: string } {
  const text = decoder.decode(value);
  const newline = text.indexOf('\n');
  if (newline < 0) return { damaged: 'no checksum line' };
  const body = text.slice(newline + 1);
  if (sha256(body) !== text.slice(0, newline)) return { damaged: 'checksum mismatch' };
  let json: unknown;
  try {
    json = JSON.parse(body);
  } catch {
    return { damaged: 'body is not JSON' };
  }
  const parsed = snapshotSchema.safeParse(json);
  return parsed.success ? parsed.data : { damaged: `not a snapshot: ${parsed.error.issues[0]?.message ?? 'invalid'}` };
}

export async function createNatsSnapshotStore(nc: NatsConnection, log?: Log): Promise<SnapshotStore> {
  // Bind only: ensureStreams makes the bucket with its settings.
  const kv: KV = await nc.jetstream().views.kv(SNAPSHOTS_BUCKET, { bindOnly: true });
  return {
    async load(ref) {
      const entry = await kv.get(snapshotKey(ref));
      if (!entry || entry.operation !== 'PUT') return null;
      const snapshot = decodeSnapshot(entry.value);
      if ('damaged' in snapshot) {
        log?.warn({ ref, reason: snapshot.damaged }, 'damaged snapshot ignored');
        return null;
      }
      return snapshot;
    },
    async save(ref, snapshot) {
      await kv.put(snapshotKey(ref), encodeSnapshot(snapshot));
    },
  };
}
