import SchemaBuilder from '@pothos/core';
import ScopeAuthPlugin from '@pothos/plugin-scope-auth';
import type { GraphQLContext } from './context.js';
import { forbidden, unauthenticated } from './errors.js';

export const builder = new SchemaBuilder<{
  Context: GraphQLContext;
  AuthScopes: { loggedIn: boolean; admin: boolean };
  // The contract is mostly non-null; nullable fields say so where they are declared.
  DefaultFieldNullability: false;
  Scalars: {
    ID: { Input: string; Output: string };
    DateTime: { Input: Date; Output: Date | string };
    Decimal: { Input: string; Output: string };
  };
}>({
  plugins: [ScopeAuthPlugin],
  defaultFieldNullability: false,
  scopeAuth: {
    // Subscriptions are authorized once when they start, so a refusal is a normal GraphQL error.
    authorizeOnSubscribe: true,
    authScopes: (ctx) => ({
      loggedIn: ctx.principal !== null,
      admin: ctx.principal?.admin === true,
    }),
    unauthorizedError: (_parent, ctx, _info, result) => (ctx.principal ? forbidden(result.message) : unauthenticated()),
  },
});
