/**
 * Everything the domain needs from the outside world arrives here: who asked, when, and under
 * which id. The domain never reads a clock or draws a random id itself.
 */
export type CommandMetadata = Readonly<{
  /** Unique per logical command; a repeat carries the same id and must have no second effect. */
  commandId: string;
  /** Groups the commands and events of one business flow (a transfer's saga steps share it). */
  correlationId: string;
  /** The user id from the JWT, or 'system' for the saga and the scheduler. */
  actor: string;
  /** The actor holds the admin role (or is 'system'): may act on any wallet and register assets. */
  admin: boolean;
  /** Decision time (ISO-8601 UTC), supplied by the processor's clock. */
  now: string;
}>;
