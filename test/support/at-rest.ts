/** Waiting for a ledger under test to come to rest, so its journal and read models can be audited. */
import { auditJournal } from '../../src/app/verify.js';
import { createMongoProjectionStore } from '../../src/infra/mongo/projection-store.js';
import { readJournal } from '../../src/infra/nats/journal-reader.js';
import { projectionLag, totalLag } from '../../src/infra/projection-lag.js';
import type { CommandOutcome, StoredEvent } from '../../src/ports.js';
import type { TestStack } from './stack.js';
import { waitUntil } from './wait.js';

/**
 * At rest: every command decided, no transfer scheduled or in flight, and the read models show
 * every wallet at its journal version. Returns the journal as it then stands.
 */
export async function waitAtRest(stack: TestStack, sent: readonly { commandId: string; outcome: CommandOutcome }[], timeoutMs = 60_000): Promise<StoredEvent[]> {
  const undecided = new Set(sent.filter((s) => s.outcome.state === 'QUEUED').map((s) => s.commandId));
  return waitUntil(
    async () => {
      for (const commandId of undecided) {
        if ((await stack.app.commandStatus(commandId))?.state === 'QUEUED') throw new Error(`command ${commandId} is still queued`);
        undecided.delete(commandId);
      }
      // Cheap before thorough: the read models must have reached the journal's end before it is worth auditing.
      const lag = totalLag(await projectionLag(stack.nats.jsm, await createMongoProjectionStore(stack.mongo.db, stack.topology), stack.topology));
      if (lag > 0) throw new Error(`read models ${lag} event(s) behind the journal`);
      const events = await readJournal(stack.nats.js, stack.nats.jsm);
      const { transfers } = auditJournal(events);
      if (transfers.scheduled > 0 || transfers.inFlight > 0) throw new Error(`${transfers.scheduled} transfer(s) scheduled, ${transfers.inFlight} in flight`);
      const versions = new Map<string, number>();
      for (const { event } of events) if (event.walletId) versions.set(event.walletId, event.version);
      const views = await stack.app.read.walletsByIds([...versions.keys()]);
      const behind = views.filter((w) => w.version !== versions.get(w.id)).length + versions.size - views.length;
      if (behind > 0) throw new Error(`${behind} wallet(s) not projected yet`);
      return events;
    },
    { timeoutMs, intervalMs: 200, message: 'the ledger to come to rest' },
  );
}
