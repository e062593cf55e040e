/**
 * The application as the GraphQL layer sees it: submit commands, read models, live updates.
 * GraphQL resolvers reach the app only through this interface (via the yoga context).
 */
import type { AnyCommand } from '../domain/commands.js';
import type { CommandOutcome, LiveBus, ReadStore } from '../ports.js';
import type { AsOfCut, WalletStateView } from './wallet-as-of.js';

export type Principal = Readonly<{ sub: string; admin: boolean }>;

export type Consistency = 'QUEUED' | 'DECIDED' | 'PROJECTED';

type Request<C extends AnyCommand, Omitted extends keyof C['data'] = never> = C extends AnyCommand
  ? Readonly<{ type: C['type']; data: Omit<C['data'], Omitted> }>
  : never;

/**
 * A command as a caller asks for it. The app adds metadata, and derives the ids of what the
 * command creates (a wallet, a transfer) from the commandId, so a repeat creates nothing new.
 */
export type CommandRequest =
  | Request<Extract<AnyCommand, { type: 'CreateWallet' }>, 'walletId' | 'ownerId'>
  | Request<Extract<AnyCommand, { type: 'RequestTransfer' }>, 'transferId'>
  | Request<Extract<AnyCommand, { type: 'RenameWallet' | 'CloseWallet' | 'Deposit' | 'Withdraw' | 'CancelTransfer' | 'RescheduleTransfer' | 'RegisterAsset' }>>;

export type SubmitRequest = Readonly<{
  principal: Principal;
  command: CommandRequest;
  /** Same key from the same caller: same commandId, no second effect, the first outcome back. */
  idempotencyKey?: string | undefined;
  consistency: Consistency;
}>;

/** The most commands one batch may carry: bounds one request's work and its wait. */
export const MAX_BATCH_SIZE = 1_000;

/** A refusal decided before anything is published: the same shape as a processor's rejection. */
export type Refusal = Readonly<{ code: string; message: string }>;

/**
 * One position of a batch: a command to submit, or one the API already refused (malformed input,
 * a wallet that is not the caller's). A refused position still carries what it knows (its key,
 * its command when it parsed) so its answer has the commandId and ids a submitted one would have.
 */
export type BatchItem =
  | Readonly<{ kind: 'command'; command: CommandRequest; idempotencyKey?: string | undefined }>
  | Readonly<{ kind: 'refused'; refusal: Refusal; command?: CommandRequest | undefined; idempotencyKey?: string | undefined }>;

export type SubmitManyRequest = Readonly<{
  principal: Principal;
  items: readonly BatchItem[];
  /** Applies to every command of the batch. */
  consistency: Consistency;
}>;

export type WalletAsOfRequest = Readonly<{ principal: Principal; walletId: string; cut: AsOfCut }>;

export interface LedgerApp {
  /**
   * Publishes the command and waits as `consistency` asks. Resolves with QUEUED when the wait
   * times out before a decision. Throws IdempotencyKeyReusedError when the key was used for other input.
   */
  submit(request: SubmitRequest): Promise<CommandOutcome>;
  /**
   * Each item as `submit` would handle it, decided on its own (not atomically), with a bounded
   * number in flight; one outcome per item, in the items' order. A refused item is never
   * published; a reused idempotency key is a REJECTED outcome (IDEMPOTENCY_KEY_REUSED) at its
   * position, not an error. The whole batch waits at most as long as one command would.
   * Throws BatchTooLargeError beyond MAX_BATCH_SIZE, before anything is published.
   */
  submitMany(request: SubmitManyRequest): Promise<CommandOutcome[]>;
  /**
   * The wallet as it stood at an instant or after a version, folded from its journal events.
   * null before the wallet existed, for a version it has not reached, and for a wallet that is
   * not the principal's (the same answer as for an unknown id).
   */
  walletAsOf(request: WalletAsOfRequest): Promise<WalletStateView | null>;
  commandStatus(commandId: string): Promise<CommandOutcome | null>;
  watchCommand(commandId: string, signal: AbortSignal): AsyncIterable<CommandOutcome>;
  readonly read: ReadStore;
  readonly live: LiveBus;
}

export class BatchTooLargeError extends Error {
  constructor(readonly size: number) {
    super(`a batch holds at most ${MAX_BATCH_SIZE} commands, not ${size}`);
    this.name = 'BatchTooLargeError';
  }
}

export class IdempotencyKeyReusedError extends Error {
  constructor(readonly idempotencyKey: string) {
    super(`idempotency key "${idempotencyKey}" was already used with different input`);
    this.name = 'IdempotencyKeyReusedError';
  }
}
