/**
 * The application as the GraphQL layer sees it: submit commands, read models, live updates.
 * GraphQL resolvers reach the app only through this interface (via the yoga context).
 */
import type { AnyCommand } from '../domain/commands.js';
import type { CommandOutcome, LiveBus, ReadStore } from '../ports.js';

export type Principal = Readonly<{ sub: string; admin: boolean }>;

export type Consistency = 'QUEUED' | 'DECIDED' | 'PROJECTED';

/** A command as a caller asks for it: the app adds ids, actor and time. */
export type CommandRequest = Readonly<{ type: AnyCommand['type']; data: AnyCommand['data'] }>;

export type SubmitRequest = Readonly<{
  principal: Principal;
  command: CommandRequest;
  /** Same key from the same caller: same commandId, no second effect, the first outcome back. */
  idempotencyKey?: string | undefined;
  consistency: Consistency;
  /** Id fields the app must fill in (a new wallet's id, a new transfer's id) derive from the commandId. */
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
