/**
 * Projecting a journal into a database outside the projector role: `rebuild` into the live
 * database, `verify` into a scratch one. Same projection, same store, so what `verify` compares
 * against is exactly what a rebuild would produce.
 */
import type { Db } from 'mongodb';
import { projectEvent } from '../../app/projection.js';
import type { ReadStore, StoredEvent } from '../../ports.js';
import { COLLECTION_NAMES } from './collections.js';

/**
 * Empties every read model and the checkpoint, keeping collections and indexes. The checkpoint
 * goes first: interrupted halfway, the database claims nothing and the next run starts over.
 */
export async function clearReadModels(db: Db): Promise<void> {
  await db.collection(COLLECTION_NAMES.checkpoints).deleteMany({});
  const { checkpoints: _, ...models } = COLLECTION_NAMES;
  for (const name of Object.values(models)) await db.collection(name).deleteMany({});
}

/** Applies consecutive batches in order and moves the checkpoint with each; returns the last sequence applied. */
export async function replayInto(store: ReadStore, batches: AsyncIterable<readonly StoredEvent[]>): Promise<number> {
  let upto = await store.checkpoint();
  for await (const batch of batches) {
    const fresh = batch.filter((stored) => stored.seq > upto);
    if (fresh.length === 0) continue;
    const last = fresh[fresh.length - 1]!.seq;
    await store.apply(fresh.flatMap(projectEvent), last);
    upto = last;
  }
  return upto;
}
