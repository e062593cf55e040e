import type { LedgerApp, Principal } from '../app/ledger-app.js';
import type { Loaders } from './loaders.js';

/** A pino-compatible logger: the GraphQL layer only reports, it never configures logging. */
export type Logger = {
  error(obj: unknown, msg?: string): void;
  warn(obj: unknown, msg?: string): void;
  info(obj: unknown, msg?: string): void;
  debug(obj: unknown, msg?: string): void;
};

/** Verifies a bearer token; rejects when the token is invalid or expired. `expiresAt` is epoch ms. */
export type VerifyToken = (token: string) => Promise<Readonly<{ principal: Principal; expiresAt: number | null }>>;

/**
 * Opens the span of one subscription event's delivery, in the trace of the command that caused it
 * (`traceparent`: the live notification's); ended once the event is sent. Set when tracing is on.
 */
export type TraceDelivery = (field: string, traceparent: string, ctx: GraphQLContext) => { end(): void };

/**
 * What every resolver sees. `loaders` is replaced per request, and per emitted event in a
 * subscription (whose context lives as long as the subscription), so cached reads never go stale.
 */
export type GraphQLContext = {
  app: LedgerApp;
  principal: Principal | null;
  /** When the caller's token expires (epoch ms): a subscription ends then. */
  tokenExpiresAt: number | null;
  /** graphql-ws ends a whole connection when its token expires; HTTP and SSE end each operation. */
  transport: 'http' | 'ws';
  loaders: Loaders;
  logger: Logger;
  traceDelivery?: TraceDelivery | undefined;
};
