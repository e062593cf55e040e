import type { GraphQLError } from 'graphql';
// yoga's own constructor: an error made from another copy of `graphql` (a bundler or test runner
// may load its ESM build beside the CommonJS one) would fail yoga's instanceof check and be masked.
import { createGraphQLError } from 'graphql-yoga';

/** Errors with a stable `extensions.code`: they pass error masking and clients branch on the code. */
const coded = (code: string, message: string, extensions: Record<string, unknown> = {}): GraphQLError =>
  createGraphQLError(message, { extensions: { code, ...extensions } });

export const unauthenticated = (): GraphQLError =>
  coded('UNAUTHENTICATED', 'Authentication required: send "Authorization: Bearer <JWT>"');

export const forbidden = (message = 'Not allowed'): GraphQLError => coded('FORBIDDEN', message);

export const badUserInput = (message: string, field?: string): GraphQLError =>
  coded('BAD_USER_INPUT', message, field === undefined ? {} : { field });

export const notFound = (message: string): GraphQLError => coded('NOT_FOUND', message);

export const idempotencyKeyReused = (message: string): GraphQLError => coded('IDEMPOTENCY_KEY_REUSED', message);

export const subscriberTooSlow = (message: string): GraphQLError => coded('SUBSCRIBER_TOO_SLOW', message);
