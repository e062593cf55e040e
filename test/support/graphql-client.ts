/** The GraphQL layer over a real app (a test stack's), called through `yoga.fetch` with real JWTs. */
import type { LedgerApp } from '../../src/app/ledger-app.js';
import type { Logger } from '../../src/graphql/context.js';
import { createGraphQLHandler } from '../../src/graphql/server.js';
import { createTokenVerifier, signToken } from '../../src/infra/auth/jwt.js';

const SECRET = 'integration-graphql-secret-0123456789abcdef';

export type GraphQLBody = {
  data?: Record<string, any> | null;
  errors?: { message: string; path?: (string | number)[]; extensions?: Record<string, any> }[];
};

const quiet: Logger = { error: () => undefined, warn: () => undefined, info: () => undefined, debug: () => undefined };

export function graphqlClient(app: LedgerApp) {
  const { yoga } = createGraphQLHandler({ app, verifyToken: createTokenVerifier({ secret: SECRET }), logger: quiet });
  return {
    token: (sub: string, admin = false) => signToken({ secret: SECRET, sub, admin, ttl: '1h' }),
    async gql(query: string, variables: Record<string, unknown> | undefined, token: string): Promise<GraphQLBody> {
      const response = await yoga.fetch('http://jetledger.test/graphql', {
        method: 'POST',
        headers: { 'content-type': 'application/json', accept: 'application/graphql-response+json', authorization: `Bearer ${token}` },
        body: JSON.stringify({ query, variables }),
      });
      return (await response.json()) as GraphQLBody;
    },
  };
}
