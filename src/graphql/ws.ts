import type { IncomingMessage, Server } from 'node:http';
import type { ExecutionArgs, GraphQLError } from 'graphql';
import { useServer } from 'graphql-ws/use/ws';
import { type WebSocket, WebSocketServer } from 'ws';
import type { Logger, VerifyToken } from './context.js';
import { allowsWebSocket, NO_CROSS_ORIGIN, type CorsPolicy } from './cors.js';
import { formattedErrors, formattedResult, type ErrorFormatOptions } from './error-format.js';
import { atTime, TOKEN_EXPIRED_CLOSE_CODE, TOKEN_EXPIRED_REASON } from './token-expiry.js';
import { authorizationOf, bearerToken, type JetLedgerYoga } from './yoga.js';

type Enveloped = ReturnType<JetLedgerYoga['getEnveloped']>;
type RootValue = Readonly<{ execute: Enveloped['execute']; subscribe: Enveloped['subscribe'] }>;

export type WebSocketHandle = Readonly<{ dispose(): Promise<void> }>;

const CLOSE_GRACE_MS = 1_000;

/** The token belongs to the connection: when it expires, the connection ends (see token-expiry.ts). */
function closeAtExpiry(socket: WebSocket, expiresAt: number): void {
  const cancel = atTime(expiresAt, () => socket.close(TOKEN_EXPIRED_CLOSE_CODE, TOKEN_EXPIRED_REASON));
  socket.once('close', cancel);
}

/**
 * graphql-ws on the same HTTP server and path as yoga. Every operation goes through
 * `yoga.getEnveloped`, so the envelop plugins (error masking, armor limits) and the same context
 * factory (auth from connectionParams) apply over WebSocket as over HTTP.
 */
export type WebSocketDeps = Readonly<{
  verifyToken: VerifyToken;
  logger: Logger;
  cors?: CorsPolicy | undefined;
  debugErrors?: boolean | undefined;
}>;

export function attachGraphQLWebSocket(yoga: JetLedgerYoga, deps: WebSocketDeps, httpServer: Server): WebSocketHandle {
  const { verifyToken, logger } = deps;
  const errors: ErrorFormatOptions = { debug: deps.debugErrors === true };
  const policy = deps.cors ?? NO_CROSS_ORIGIN;
  const wss = new WebSocketServer({
    server: httpServer,
    path: yoga.graphqlEndpoint,
    verifyClient: ({ req }: { req: IncomingMessage }) => allowsWebSocket(policy, req),
  });
  const handle = useServer(
    {
      // A token that is present but bad closes the socket (4403); no token still allows `assets`.
      // A good one holds the connection until it expires, then closes it the same way.
      onConnect: async (ctx) => {
        const token = bearerToken(authorizationOf(ctx.connectionParams));
        if (token === null) return true;
        const verified = await verifyToken(token).catch(() => null);
        if (verified === null) return false;
        if (verified.expiresAt !== null) closeAtExpiry(ctx.extra.socket, verified.expiresAt);
        return true;
      },
      execute: (args: ExecutionArgs) => (args.rootValue as RootValue).execute(args),
      subscribe: (args: ExecutionArgs) => (args.rootValue as RootValue).subscribe(args),
      onSubscribe: async (ctx, _id, payload) => {
        const { schema, execute, subscribe, contextFactory, parse, validate } = yoga.getEnveloped({
          ...ctx,
          req: ctx.extra.request,
          socket: ctx.extra.socket,
          params: payload,
          connectionParams: ctx.connectionParams,
          transport: 'ws',
        });
        let document;
        try {
          document = parse(payload.query);
          const errors = validate(schema, document);
          if (errors.length > 0) return errors;
        } catch (error) {
          // Syntax errors and armor limits (which throw from parse and validate) are answered as
          // GraphQL errors on this operation, not as a broken socket.
          if (error instanceof Error && error.name === 'GraphQLError') return [error as GraphQLError];
          throw error;
        }
        const rootValue: RootValue = { execute, subscribe };
        return {
          schema,
          document,
          operationName: payload.operationName,
          variableValues: payload.variables,
          contextValue: await contextFactory(),
          rootValue,
        };
      },
      // Every answer leaves in its public form: the same codes and redactions as over HTTP.
      onNext: (_ctx, _id, _payload, _args, result) => formattedResult(result, errors),
      onError: (_ctx, _id, _payload, failures) => {
        logger.debug({ errors: failures.map((e) => e.message) }, 'graphql-ws operation failed');
        return formattedErrors(failures, errors);
      },
    },
    wss,
  );
  return {
    dispose: async () => {
      const clients = [...wss.clients];
      await handle.dispose();
      // Clients were asked to go away (1001); whoever has not left after the grace period is cut off.
      let timer: NodeJS.Timeout | undefined;
      await Promise.race([
        Promise.all(clients.map((c) => (c.readyState === c.CLOSED ? undefined : new Promise((resolve) => c.once('close', resolve))))),
        new Promise((resolve) => (timer = setTimeout(resolve, CLOSE_GRACE_MS))),
      ]);
      clearTimeout(timer);
      for (const client of clients) client.terminate();
    },
  };
}
