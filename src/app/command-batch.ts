/**
 * Many commands in one request. Each position is handled exactly as one mutation would handle
 * it (same idempotency, same publish, same wait) and decided on its own: the batch is not a
 * transaction, only a cheaper way to send. At most `maxInFlight` positions are between "start"
 * and "answered" at once, so a 1,000-command batch costs a few round trips of latency, not
 * 1,000, without opening 1,000 waits on the outcome store at the same moment.
 *
 * An idempotency key used twice in one batch is decided here, not by whichever position reaches
 * the outcome store first: a later position with the same input shares the first one's outcome,
 * with other input it is refused IDEMPOTENCY_KEY_REUSED.
 */
import type { CommandMessage, CommandOutcome, Clock } from '../ports.js';
import { mapBounded } from './bounded.js';
import { idsOf } from './routing.js';
import { type BatchItem, BatchTooLargeError, type CommandRequest, IdempotencyKeyReusedError, MAX_BATCH_SIZE, type Refusal } from './ledger-app.js';

/** Commands of one batch between publish and answer at the same time. */
export const MAX_IN_FLIGHT = 64;

export type PreparedCommand = Readonly<{
  commandId: string;
  /** Hash of the caller's input: the same key with other input is refused. */
  fingerprint: string;
  idempotencyKey: string | undefined;
  message: CommandMessage;
}>;

export type BatchDeps = Readonly<{
  prepare(command: CommandRequest, idempotencyKey: string | undefined): PreparedCommand;
  /** The commandId of a position without a command to prepare: its key's, or a fresh one. */
  commandIdOf(idempotencyKey: string | undefined): string;
  /** What one mutation does with a prepared command: record it, publish it, wait as asked. */
  send(prepared: PreparedCommand): Promise<CommandOutcome>;
  /** The outcome recorded for a command id, if any. */
  recorded(commandId: string): Promise<CommandOutcome | null>;
  clock: Clock;
  maxInFlight?: number | undefined;
}>;

type Position = Readonly<{ commandId: string; fingerprint: string; idempotencyKey: string | undefined; answer(): Promise<CommandOutcome> }>;

export async function submitBatch(items: readonly BatchItem[], deps: BatchDeps): Promise<CommandOutcome[]> {
  if (items.length > MAX_BATCH_SIZE) throw new BatchTooLargeError(items.length);
  const firstUse = new Map<string, { fingerprint: string; outcome: Promise<CommandOutcome> }>();
  return mapBounded(items, deps.maxInFlight ?? MAX_IN_FLIGHT, (item) => {
    const position = positionOf(item, deps);
    const earlier = firstUse.get(position.commandId);
    if (earlier) return earlier.fingerprint === position.fingerprint ? earlier.outcome : Promise.resolve(reused(position, deps.clock));
    const outcome = position.answer();
    firstUse.set(position.commandId, { fingerprint: position.fingerprint, outcome });
    return outcome;
  });
}

function positionOf(item: BatchItem, deps: BatchDeps): Position {
  switch (item.kind) {
    case 'command': {
      const prepared = deps.prepare(item.command, item.idempotencyKey);
      return {
        ...prepared,
        answer: () =>
          deps.send(prepared).catch((error: unknown) => {
            if (error instanceof IdempotencyKeyReusedError) return reused(prepared, deps.clock);
            throw error;
          }),
      };
    }
    case 'refused': {
      const prepared = item.command ? deps.prepare(item.command, item.idempotencyKey) : null;
      const commandId = prepared?.commandId ?? deps.commandIdOf(item.idempotencyKey);
      const position = {
        commandId,
        fingerprint: prepared?.fingerprint ?? `refused:${item.refusal.code}:${item.refusal.message}`,
        idempotencyKey: item.idempotencyKey,
      };
      return { ...position, answer: () => refuse(position, item.refusal, prepared, deps) };
    }
    default: {
      const _exhaustive: never = item;
      return _exhaustive;
    }
  }
}

/**
 * A refused position is never published. Its answer looks like a processor's rejection of the
 * same command (same commandId, wallet and transfer ids), so a refusal at the edge and one by the
 * processor read alike. A key that already has an outcome answers as a repeat would: the recorded
 * outcome for the same input, IDEMPOTENCY_KEY_REUSED for other input.
 */
async function refuse(
  position: Omit<Position, 'answer'>,
  refusal: Refusal,
  prepared: PreparedCommand | null,
  deps: BatchDeps,
): Promise<CommandOutcome> {
  if (position.idempotencyKey !== undefined) {
    const recorded = await deps.recorded(position.commandId);
    if (recorded) return prepared !== null && recorded.fingerprint === prepared.fingerprint ? recorded : reused(position, deps.clock);
  }
  return {
    commandId: position.commandId,
    state: 'REJECTED',
    code: refusal.code,
    message: refusal.message,
    ...(prepared ? idsOf(prepared.message) : { walletId: undefined, transferId: undefined }),
    at: deps.clock.now().toISOString(),
  };
}

const reused = (position: Pick<Position, 'commandId' | 'idempotencyKey'>, clock: Clock): CommandOutcome => ({
  commandId: position.commandId,
  state: 'REJECTED',
  code: 'IDEMPOTENCY_KEY_REUSED',
  message: new IdempotencyKeyReusedError(position.idempotencyKey ?? position.commandId).message,
  at: clock.now().toISOString(),
});
