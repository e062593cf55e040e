/**
 * The attempt log in a NATS KV bucket (7-day TTL, as long as outcomes): `create` writes a key only
 * when it does not exist, so the first attempt of a command is the one kept.
 */
import type { KV, NatsConnection } from 'nats';
import type { AppendAttempt, AttemptLog } from '../../ports.js';
import { decodeJson, encodeJson } from './json.js';
import { isWrongLastSequence } from './kv-errors.js';
import { ATTEMPTS_BUCKET } from './topology.js';

const isExisting = (error: unknown) => isWrongLastSequence(error) || /key exists/i.test(String((error as Error)?.message));

const attemptOf = (value: Uint8Array): AppendAttempt | null => {
  const v = decodeJson(value) as Partial<AppendAttempt>;
  return typeof v.afterSeq === 'number' && typeof v.eventId === 'string' ? { afterSeq: v.afterSeq, eventId: v.eventId } : null;
};

export async function createNatsAttemptLog(nc: NatsConnection): Promise<AttemptLog> {
  const kv: KV = await nc.jetstream().views.kv(ATTEMPTS_BUCKET, { bindOnly: true });
  const first = async (commandId: string): Promise<AppendAttempt | null> => {
    const entry = await kv.get(commandId);
    return entry && entry.operation === 'PUT' ? attemptOf(entry.value) : null;
  };
  return {
    first,
    async record(commandId, attempt) {
      try {
        await kv.create(commandId, encodeJson(attempt));
        return null;
      } catch (error) {
        if (!isExisting(error)) throw error;
        return first(commandId);
      }
    },
  };
}
