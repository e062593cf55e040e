/**
 * Command outcomes in a JetStream KV bucket (7-day TTL). One watcher per process feeds every
 * local waiter, so waiting for a decision costs no extra consumer per request.
 */
import { type KV, KvWatchInclude, type NatsConnection } from 'nats';
import { createAsyncQueue } from '../../app/async-queue.js';
import type { CommandOutcome, OutcomeStore } from '../../ports.js';
import { decodeJson, encodeJson } from './json.js';
import { OUTCOMES_BUCKET } from './topology.js';

type Listener = (outcome: CommandOutcome) => void;

export async function createNatsOutcomeStore(nc: NatsConnection): Promise<OutcomeStore & { close(): Promise<void> }> {
  const kv: KV = await nc.jetstream().views.kv(OUTCOMES_BUCKET);
  const listeners = new Map<string, Set<Listener>>();

  const watcher = await kv.watch({ key: '>', include: KvWatchInclude.UpdatesOnly });
  const pump = (async () => {
    for await (const entry of watcher) {
      if (entry.operation !== 'PUT') continue;
      const set = listeners.get(entry.key);
      if (!set) continue;
      const outcome = decodeJson(entry.value) as CommandOutcome;
      for (const listener of set) listener(outcome);
    }
  })();

  const listen = (commandId: string, listener: Listener): (() => void) => {
    const set = listeners.get(commandId) ?? new Set();
    set.add(listener);
    listeners.set(commandId, set);
    return () => {
      set.delete(listener);
      if (set.size === 0) listeners.delete(commandId);
    };
  };

  const get = async (commandId: string): Promise<CommandOutcome | null> => {
    const entry = await kv.get(commandId);
    return entry && entry.operation === 'PUT' ? (decodeJson(entry.value) as CommandOutcome) : null;
  };

  return {
    get,

    async createQueued(outcome) {
      try {
        await kv.create(outcome.commandId, encodeJson(outcome));
        return null;
      } catch (error) {
        const existing = await get(outcome.commandId);
        if (existing) return existing;
        throw error;
      }
    },

    async recordDecision(outcome) {
      await kv.put(outcome.commandId, encodeJson(outcome));
    },

    async waitFor(commandId, until, timeoutMs) {
      return new Promise<CommandOutcome | null>((resolve, reject) => {
        let settled = false;
        const finish = (value: CommandOutcome | null) => {
          if (settled) return;
          settled = true;
          clearTimeout(timer);
          stop();
          resolve(value);
        };
        // Listen before reading, so a decision landing between the two is not missed.
        const stop = listen(commandId, (o) => until(o) && finish(o));
        const timer = setTimeout(() => finish(null), timeoutMs);
        get(commandId).then((current) => current && until(current) && finish(current), (error) => {
          if (settled) return;
          settled = true;
          clearTimeout(timer);
          stop();
          reject(error);
        });
      });
    },

    async *watch(commandId, signal) {
      const queue = createAsyncQueue<CommandOutcome>(signal);
      const stop = listen(commandId, (o) => queue.push(o));
      try {
        const current = await get(commandId);
        if (current) yield current;
        yield* queue;
      } finally {
        stop();
      }
    },

    async close() {
      watcher.stop();
      await pump.catch(() => undefined);
    },
  };
}
