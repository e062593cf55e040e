/**
 * In-memory ports for unit tests of the app layer: an OutcomeStore and a CommandBus for the real
 * ledger service (the bus hands each published command to a test-supplied `decide`, standing in for
 * the processor, and counts how many publishes are in flight at once); a SnapshotStore and an
 * AttemptLog for the command handler. The in-memory Journal is in memory-journal.ts.
 */
import { createAsyncQueue } from '../../src/app/async-queue.js';
import { idsOf } from '../../src/app/routing.js';
import type { AggregateRef, AggregateSnapshot, AppendAttempt, AttemptLog, CommandBus, CommandMessage, CommandOutcome, Journal, OutcomeStore, SnapshotStore } from '../../src/ports.js';

/** A journal the api side may read (empty) but never append to. */
export const readOnlyJournal: Journal = {
  read: async () => [],
  readAssets: async () => [],
  eventAt: async () => null,
  append: async () => {
    throw new Error('the api never appends');
  },
};

type Listener = (outcome: CommandOutcome) => void;

export function createMemoryOutcomeStore(): OutcomeStore & { readonly all: Map<string, CommandOutcome> } {
  const all = new Map<string, CommandOutcome>();
  const listeners = new Map<string, Set<Listener>>();
  const listen = (commandId: string, listener: Listener) => {
    const set = listeners.get(commandId) ?? new Set();
    listeners.set(commandId, set.add(listener));
    return () => set.delete(listener);
  };
  const put = (outcome: CommandOutcome) => {
    all.set(outcome.commandId, outcome);
    for (const listener of listeners.get(outcome.commandId) ?? []) listener(outcome);
  };
  return {
    all,
    get: async (commandId) => all.get(commandId) ?? null,
    createQueued: async (outcome) => {
      const existing = all.get(outcome.commandId);
      if (existing) return existing;
      put(outcome);
      return null;
    },
    recordDecision: async (outcome) => put(outcome),
    waitFor: (commandId, until, timeoutMs) =>
      new Promise((resolve) => {
        const current = all.get(commandId);
        if (current && until(current)) return resolve(current);
        const timer = setTimeout(() => {
          stop();
          resolve(null);
        }, timeoutMs);
        const stop = listen(commandId, (o) => {
          if (!until(o)) return;
          clearTimeout(timer);
          stop();
          resolve(o);
        });
      }),
    async *watch(commandId, signal) {
      const queue = createAsyncQueue<CommandOutcome>(signal);
      const stop = listen(commandId, (o) => queue.push(o));
      try {
        const current = all.get(commandId);
        if (current) yield current;
        yield* queue;
      } finally {
        stop();
      }
    },
  };
}

export type RecordingBus = CommandBus & {
  readonly published: CommandMessage[];
  /** The most publishes that were awaiting their ack at the same moment. */
  readonly maxInFlight: number;
};

/**
 * `decide` runs after the publish is acknowledged, like a processor picking the command up; it
 * may return a promise to hold the decision back. Throwing from `failOn` fails that publish.
 */
export function createRecordingBus(
  outcomes: OutcomeStore,
  decide: (command: CommandMessage) => CommandOutcome | null | Promise<CommandOutcome | null>,
  failOn?: (command: CommandMessage) => boolean,
): RecordingBus {
  const published: CommandMessage[] = [];
  let inFlight = 0;
  let maxInFlight = 0;
  return {
    published,
    get maxInFlight() {
      return maxInFlight;
    },
    async publish(command) {
      inFlight++;
      maxInFlight = Math.max(maxInFlight, inFlight);
      try {
        // A round trip: the ack comes back on a later turn of the event loop.
        await new Promise((resolve) => setImmediate(resolve));
        if (failOn?.(command)) throw new Error(`nats: publish of ${command.metadata.commandId} timed out`);
        published.push(command);
      } finally {
        inFlight--;
      }
      void Promise.resolve(decide(command)).then((outcome) => outcome && outcomes.recordDecision(outcome));
    },
  };
}

/** What a processor would record: ACCEPTED, with the ids the command carries. */
export const accepted = (command: CommandMessage, fields: Partial<CommandOutcome> = {}): CommandOutcome => {
  return {
    commandId: command.metadata.commandId,
    state: 'ACCEPTED',
    ...idsOf(command),
    fingerprint: command.metadata.fingerprint,
    at: '2030-01-01T00:00:00.000Z',
    ...fields,
  };
};

/** The latest snapshot per aggregate, in memory; `raw` lets a test damage or replace one. */
export function createMemorySnapshotStore(): SnapshotStore & { readonly raw: Map<string, AggregateSnapshot>; saves: number } {
  const raw = new Map<string, AggregateSnapshot>();
  const store = {
    raw,
    saves: 0,
    load: async (ref: AggregateRef) => raw.get(`${ref.kind}.${ref.id}`) ?? null,
    save: async (ref: AggregateRef, snapshot: AggregateSnapshot) => {
      store.saves++;
      // Through JSON, as a real store would: nothing shared with the live state.
      raw.set(`${ref.kind}.${ref.id}`, JSON.parse(JSON.stringify(snapshot)) as AggregateSnapshot);
    },
  };
  return store;
}

/** The attempt log in memory: the first attempt per command id is kept. */
export function createMemoryAttemptLog(): AttemptLog & { readonly all: Map<string, AppendAttempt> } {
  const all = new Map<string, AppendAttempt>();
  return {
    all,
    first: async (commandId) => all.get(commandId) ?? null,
    record: async (commandId, attempt) => {
      const earlier = all.get(commandId);
      if (earlier) return earlier;
      all.set(commandId, attempt);
      return null;
    },
  };
}
