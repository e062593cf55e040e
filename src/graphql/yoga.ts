import { useCSRFPrevention } from '@graphql-yoga/plugin-csrf-prevention';
import { createYoga, type GraphiQLOptions, type Plugin, type YogaLogger, type YogaServerInstance } from 'graphql-yoga';
import type { LedgerApp, Principal } from '../app/ledger-app.js';
import type { GraphQLContext, Logger, TraceDelivery, VerifyToken } from './context.js';
import { corsOptions, NO_CROSS_ORIGIN, useVaryOrigin, type CorsPolicy } from './cors.js';
import { useDocumentLimits } from './document-limits.js';
import { GRAPHIQL_TITLE, renderGraphiQLPage, useGraphiQLAssets } from './graphiql.js';
import { useErrorFormat, useUnsupportedMediaType } from './error-format.js';
import { createLoaders } from './loaders.js';
import { useMutationRateLimit } from './rate-limit.js';
import { schema } from './schema.js';
import { type SubscriptionObserver, useSubscriptionCount } from './subscription-count.js';
import { useTokenExpiry } from './token-expiry.js';
import { useVariableErrors } from './variables.js';

export type GraphQLDeps = Readonly<{
  app: LedgerApp;
  verifyToken: VerifyToken;
  logger: Logger;
  /** GraphiQL at /graphql (default on); it opens with `token` in its headers (development only). */
  graphiql?: Readonly<{ enabled?: boolean | undefined; token?: string | undefined }> | undefined;
  /** Adds originalError and stack to error answers. Never in production: they leak internals. */
  debugErrors?: boolean | undefined;
  /** Browser origins allowed to call (default: none). */
  cors?: CorsPolicy | undefined;
  /** Mutations per user and minute (default: no limit). */
  mutationsPerMinute?: number | undefined;
  /** Tracing, when on: envelop plugins that open the operation's span (run first), and subscription delivery spans. */
  tracing?: Readonly<{ plugins: readonly Plugin[]; traceDelivery: TraceDelivery }> | undefined;
  /** Told of every subscription that starts, and of its end (the open-subscriptions gauge). */
  observeSubscription?: SubscriptionObserver | undefined;
}>;

/** A GraphQL request body larger than this is refused (413) before it is parsed. */
export const MAX_REQUEST_BODY_BYTES = 1024 * 1024;

/** What the transport gives the context factory: a Request over HTTP, connectionParams over graphql-ws. */
export type ServerContext = { connectionParams?: Readonly<Record<string, unknown>> | undefined; transport?: 'ws' | undefined };

export type JetLedgerYoga = YogaServerInstance<ServerContext, GraphQLContext>;

export const GRAPHQL_PATH = '/graphql';

/** Any GET (or form POST) must carry it: a browser preflights such a request, so CORS applies. */
export const CSRF_HEADER = 'x-graphql-yoga-csrf';

/** "Bearer <jwt>" or a bare token (some WebSocket clients put the token alone in connectionParams). */
export function bearerToken(value: unknown): string | null {
  if (typeof value !== 'string') return null;
  const token = value.replace(/^Bearer\s+/i, '').trim();
  return token.length > 0 ? token : null;
}

export const authorizationOf = (params: Readonly<Record<string, unknown>> | undefined): unknown =>
  params?.['authorization'] ?? params?.['Authorization'];

type Caller = Readonly<{ principal: Principal | null; expiresAt: number | null }>;
const ANONYMOUS: Caller = { principal: null, expiresAt: null };

async function callerFor(deps: GraphQLDeps, token: string | null): Promise<Caller> {
  if (token === null) return ANONYMOUS;
  // A bad token makes an anonymous caller: every protected field then answers UNAUTHENTICATED.
  return deps.verifyToken(token).catch((error: unknown) => {
    deps.logger.debug({ err: error }, 'rejected bearer token');
    return ANONYMOUS;
  });
}

function graphiqlOptions(deps: GraphQLDeps): GraphiQLOptions | false {
  if (deps.graphiql?.enabled === false) return false;
  const token = deps.graphiql?.token;
  // GraphiQL subscribes over SSE with a GET: CSRF prevention wants the header on it.
  const headers = JSON.stringify({ ...(token ? { Authorization: `Bearer ${token}` } : {}), [CSRF_HEADER]: 'graphiql' }, null, 2);
  // SSE is yoga's default for GraphiQL subscriptions; the same path also speaks graphql-ws.
  return { title: GRAPHIQL_TITLE, headers, defaultHeaders: headers };
}

/** Yoga logs a masked error as the GraphQLError wrapping it; the cause is what an operator needs. */
function yogaLogger(logger: Logger): YogaLogger {
  const forward =
    (level: 'debug' | 'info' | 'warn' | 'error') =>
    (first: unknown, ...rest: unknown[]): void => {
      if (first instanceof Error) {
        const cause = 'originalError' in first && first.originalError instanceof Error ? first.originalError : first;
        logger[level]({ err: cause }, `graphql: ${cause.message}`);
      } else {
        logger[level](rest.length > 0 ? { details: rest } : {}, String(first));
      }
    };
  return { debug: forward('debug'), info: forward('info'), warn: forward('warn'), error: forward('error') };
}

export function createYogaServer(deps: GraphQLDeps): JetLedgerYoga {
  return createYoga<ServerContext, GraphQLContext>({
    schema,
    graphqlEndpoint: GRAPHQL_PATH,
    landingPage: false,
    graphiql: graphiqlOptions(deps),
    renderGraphiQL: renderGraphiQLPage,
    logging: yogaLogger(deps.logger),
    context: async (initial) => {
      const header = 'request' in initial && initial.request ? initial.request.headers.get('authorization') : undefined;
      const caller = await callerFor(deps, bearerToken(header ?? authorizationOf(initial.connectionParams)));
      return {
        app: deps.app,
        principal: caller.principal,
        tokenExpiresAt: caller.expiresAt,
        transport: initial.transport === 'ws' ? 'ws' : 'http',
        loaders: createLoaders(deps.app.read),
        logger: deps.logger,
        traceDelivery: deps.tracing?.traceDelivery,
      };
    },
    // Errors with a code (the GraphQLErrors we throw) pass; anything else reaches the client as
    // "Unexpected error." and is logged in full through `logging`. This also holds over graphql-ws.
    maskedErrors: { isDev: deps.debugErrors === true },
    maxRequestBodySize: MAX_REQUEST_BODY_BYTES,
    cors: corsOptions(deps.cors ?? NO_CROSS_ORIGIN),
    plugins: [
      // First, so that the operation's span is open around everything the other plugins do.
      ...(deps.tracing?.plugins ?? []),
      ...(deps.observeSubscription ? [useSubscriptionCount(deps.observeSubscription)] : []),
      // A GET or form POST needs a non-simple header, so a browser preflights it (CORS applies).
      ...(deps.graphiql?.enabled === false ? [] : [useGraphiQLAssets()]),
      useCSRFPrevention({ requestHeaders: [CSRF_HEADER] }),
      useUnsupportedMediaType(),
      useVaryOrigin(),
      useDocumentLimits(),
      useVariableErrors(),
      useMutationRateLimit({ perMinute: deps.mutationsPerMinute ?? 0 }),
      useTokenExpiry(),
      useErrorFormat({ debug: deps.debugErrors === true }),
    ],
  });
}
