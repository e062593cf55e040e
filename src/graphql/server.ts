import type { Server } from 'node:http';
import { attachGraphQLWebSocket, type WebSocketHandle } from './ws.js';
import { createYogaServer, type GraphQLDeps, type JetLedgerYoga } from './yoga.js';

export type GraphQLHandler = Readonly<{
  /** A node:http request listener and a fetch handler (`yoga.fetch`) at /graphql. */
  yoga: JetLedgerYoga;
  /** Serves graphql-ws on the same server and path; dispose it before closing the server. */
  attachWebSocket(httpServer: Server): WebSocketHandle;
}>;

export function createGraphQLHandler(deps: GraphQLDeps): GraphQLHandler {
  const yoga = createYogaServer(deps);
  return {
    yoga,
    attachWebSocket: (httpServer) => attachGraphQLWebSocket(yoga, deps, httpServer),
  };
}
