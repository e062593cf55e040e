/**
 * The application as the GraphQL layer sees it: submit commands, read models, live updates.
 * GraphQL resolvers reach the app only through this interface (via the yoga context).
 */
import type { AnyCommand } from '../domain/commands.js';
import type { CommandOutcome, LiveBus, ReadStore } from '../ports.js';

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

export interface LedgerApp {
  /**
   * Publishes the command and waits as `consistency` asks. Resolves with QUEUED when the wait
   * times out before a decision. Throws IdempotencyKeyReusedError when the key was used for other input.
   */
  submit(request: SubmitRequest): Promise<CommandOutcome>;
  commandStatus(commandId: string): Promise<CommandOutcome | null>;
  watchCommand(commandId: string, signal: AbortSignal): AsyncIterable<CommandOutcome>;
  readonly read: ReadStore;
  readonly live: LiveBus;
}

export class IdempotencyKeyReusedError extends Error {
  constructor(readonly idempotencyKey: string) {
    super(`idempotency key "${idempotencyKey}" was already used with different input`);
    this.name = 'IdempotencyKeyReusedError';
  }
}
