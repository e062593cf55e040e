/**
 * A batch of projection changes as few MongoDB writes as possible: one write pair per document.
 *
 * Each document's changes collapse, in journal order, into "insert this if absent (as of the
 * insert's sequence)" and "set these fields as of the last sequence, if the document has not seen
 * it". The pair never raises a duplicate-key error: the insert is an upsert on `_id` alone with
 * $setOnInsert, and the guarded set is a plain update whose filter on `seq` simply matches nothing
 * when a newer change is already there. That matters beyond tidiness: jongodb aborts the rest of
 * a bulk write at the first error even when it is unordered.
 *
 * Merging the sets of one batch is exact because a batch holds every event of its documents in a
 * contiguous range (a shard's events, and each document belongs to one shard): a document that
 * already saw part of the range holds exactly the values the range's earlier changes produced,
 * and the merged set overwrites them with the range's last word per field.
 *
 * Fencing: every write stamps the writer's epoch and the guarded set also requires the document's
 * epoch to be no higher, so an owner that lost its shard can never overwrite its successor's
 * writes. What such an owner might still write (a document its successor has not reached yet) is
 * exactly what the successor writes when it gets there: the same events give the same changes.
 */
import type { AnyBulkWriteOperation } from 'mongodb';
import type { ProjectionChange } from '../../ports.js';
import { encodeFields } from './codec.js';
import { balanceId } from './collections.js';
import type { AssetDoc, BalanceDoc, EntryDoc, TransferDoc, WalletDoc } from './collections.js';

/** Every read-model collection is keyed by a string (an id, a code, or walletId:asset). */
type KeyedDoc = { _id: string; [field: string]: unknown };

type VersionedKind = 'wallet' | 'balance' | 'transfer';

type Collapsed = {
  kind: VersionedKind;
  id: string;
  /** Of a transfer: its source wallet, whose shard keeps it. */
  source?: string;
  seq: number;
  set: Record<string, unknown>;
  insert?: { fields: Record<string, unknown>; seq: number };
};

export type WritePlan = Readonly<{
  wallets: AnyBulkWriteOperation<WalletDoc>[];
  balances: AnyBulkWriteOperation<BalanceDoc>[];
  /** Per transfer document: its source wallet (whose shard's collection keeps it) and its writes. */
  transfers: Array<{ source: string; ops: AnyBulkWriteOperation<TransferDoc>[] }>;
  /** Insert-once documents: written only where no document with that `_id` exists yet. */
  entries: EntryDoc[];
  assets: AssetDoc[];
}>;

export function planWrites(changes: readonly ProjectionChange[], epoch: number): WritePlan {
  const versioned = new Map<string, Collapsed>();
  const entries = new Map<string, Record<string, unknown>>();
  const assets = new Map<string, Record<string, unknown>>();

  for (const change of inJournalOrder(changes)) {
    switch (change.kind) {
      case 'wallet': {
        const insert = change.insert && { fields: encodeFields('wallet', change.insert), seq: change.seq };
        collapse(versioned, { kind: 'wallet', id: change.id, seq: change.seq, set: encodeFields('wallet', change.set), insert });
        break;
      }
      case 'transfer': {
        const insert = change.insert && {
          fields: { ...encodeFields('transfer', change.insert), createdSeq: change.seq },
          seq: change.seq,
        };
        collapse(versioned, { kind: 'transfer', id: change.id, source: change.walletId, seq: change.seq, set: encodeFields('transfer', change.set), insert });
        break;
      }
      case 'balance': {
        const fields = encodeFields('balance', change.balance);
        const id = balanceId(change.balance.walletId, change.balance.asset);
        collapse(versioned, { kind: 'balance', id, seq: change.seq, set: fields, insert: { fields, seq: change.seq } });
        break;
      }
      case 'entry':
        if (!entries.has(change.entry.id)) entries.set(change.entry.id, encodeFields('entry', change.entry));
        break;
      case 'asset': {
        const { code, ...asset } = change.asset;
        if (!assets.has(code)) assets.set(code, encodeFields('asset', asset));
        break;
      }
      default: {
        const unknown: never = change;
        throw new Error(`unknown projection change ${JSON.stringify(unknown)}`);
      }
    }
  }

  const plan = { wallets: [], balances: [] } as { [K in 'wallets' | 'balances']: AnyBulkWriteOperation<KeyedDoc>[] };
  const transfers: Array<{ source: string; ops: AnyBulkWriteOperation<KeyedDoc>[] }> = [];
  for (const doc of versioned.values()) {
    if (doc.kind === 'transfer') transfers.push({ source: doc.source as string, ops: writePair(doc, epoch) });
    else (doc.kind === 'wallet' ? plan.wallets : plan.balances).push(...writePair(doc, epoch));
  }
  const withIds = (docs: Map<string, Record<string, unknown>>) => [...docs].map(([_id, fields]) => ({ ...fields, epoch, _id }));
  return { ...plan, transfers, entries: withIds(entries), assets: withIds(assets) } as unknown as WritePlan;
}

/** Stable: changes of one event keep their relative order. Entries and assets carry no change seq. */
function inJournalOrder(changes: readonly ProjectionChange[]): ProjectionChange[] {
  const seqOf = (c: ProjectionChange): number => (c.kind === 'entry' ? c.entry.seq : c.kind === 'asset' ? 0 : c.seq);
  return [...changes].sort((a, b) => seqOf(a) - seqOf(b));
}

function collapse(docs: Map<string, Collapsed>, next: Collapsed): void {
  const key = `${next.kind}/${next.id}`;
  const previous = docs.get(key);
  if (!previous) {
    docs.set(key, next);
    return;
  }
  docs.set(key, {
    ...previous,
    seq: Math.max(previous.seq, next.seq),
    set: { ...previous.set, ...next.set },
    insert: previous.insert ?? next.insert,
  });
}

function writePair(doc: Collapsed, epoch: number): AnyBulkWriteOperation<KeyedDoc>[] {
  const guardedSet: AnyBulkWriteOperation<KeyedDoc> = {
    updateOne: { filter: { _id: doc.id, seq: { $lt: doc.seq }, epoch: { $lte: epoch } }, update: { $set: { ...doc.set, seq: doc.seq, epoch } } },
  };
  if (!doc.insert) return [guardedSet];
  const insert: AnyBulkWriteOperation<KeyedDoc> = {
    updateOne: {
      filter: { _id: doc.id },
      update: { $setOnInsert: { ...doc.insert.fields, seq: doc.insert.seq, epoch } },
      upsert: true,
    },
  };
  return [insert, guardedSet];
}
