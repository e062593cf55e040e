import { describe, expect, it } from 'vitest';
import { createAggregateRepository } from '../../../src/app/aggregate-repository.js';
import { walletAggregate } from '../../../src/app/aggregate-types.js';
import type { EventEnvelope } from '../../../src/domain/events.js';
import type { AggregateRef, Journal, StoredEvent } from '../../../src/ports.js';

const W: AggregateRef = { kind: 'wallet', id: 'w' };

/** An in-memory journal whose next read can be held back after it has looked, like a slow round trip. */
function slowJournal() {
  const events: StoredEvent[] = [];
  let gate: Promise<void> | null = null;
  const journal: Journal = {
    async read(ref, afterSeq = 0) {
      const found = events.filter((s) => s.event.walletId === ref.id && s.seq > afterSeq);
      const held = gate;
      gate = null;
      if (held) await held;
      return found;
    },
    append: async () => {
      throw new Error('not used');
    },
    readAssets: async () => [],
    eventAt: async () => null,
  };
  const add = (version: number): StoredEvent => {
    const event = {
      id: `e${version}`,
      type: version === 1 ? 'WalletCreated' : 'WalletRenamed',
      walletId: W.id,
      version,
      occurredAt: new Date(Date.UTC(2026, 0, 1, 0, 0, version)).toISOString(),
      commandId: `c${version}`,
      correlationId: `c${version}`,
      actor: 'alice',
      schemaVersion: 1,
      data: version === 1 ? { ownerId: 'alice', name: 'w' } : { name: `w${version}` },
    } as EventEnvelope;
    const stored = { seq: events.length + 1, event };
    events.push(stored);
    return stored;
  };
  const hold = () => {
    let release = () => undefined as void;
    gate = new Promise<void>((resolve) => (release = resolve));
    return release;
  };
  return { journal, add, hold };
}

describe('the aggregate cache under concurrent readers', () => {
  it('is not rolled back by a catch-up that finishes after a newer copy was cached', async () => {
    const j = slowJournal();
    const repo = createAggregateRepository(walletAggregate, { journal: j.journal, knowledge: () => ({ assets: new Map() }) });
    j.add(1);
    j.add(2);
    await repo.load(W);
    j.add(3);
    // A counterparty check (no lock on this wallet) reads up to version 3 and is slow to come back.
    const release = j.hold();
    const counterpartyCheck = repo.catchUp(W);
    // Meanwhile the wallet's own command catches up to version 4, then appends version 5.
    j.add(4);
    expect((await repo.catchUp(W)).version).toBe(4);
    release();
    expect((await counterpartyCheck).version).toBe(3);
    const ours = j.add(5);
    expect(() => repo.appended(W, ours)).not.toThrow();
    expect((await repo.load(W)).version).toBe(5);
  });

  it('accepts the news of its own append when a catch-up already read it back', async () => {
    const j = slowJournal();
    const repo = createAggregateRepository(walletAggregate, { journal: j.journal, knowledge: () => ({ assets: new Map() }) });
    j.add(1);
    await repo.load(W);
    const ours = j.add(2);
    await repo.catchUp(W); // someone else's check sees our event first
    expect(() => repo.appended(W, ours)).not.toThrow();
    expect((await repo.load(W)).version).toBe(2);
  });
});
