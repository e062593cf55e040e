import type { GraphQLError } from 'graphql';
// yoga's own constructor: an error made from another copy of `graphql` (a bundler or test runner
// may load its ESM build beside the CommonJS one) would fail yoga's instanceof check and be masked.
import { createGraphQLError } from 'graphql-yoga';

/**
 * Every `extensions.code` this API answers with. Clients branch on these; never rename one.
 * The request-level ones (no `data` at all) answer HTTP 400 (429 for RATE_LIMITED) to a client
 * that accepts application/graphql-response+json, and 200 to one that accepts only
 * application/json, as the GraphQL-over-HTTP spec asks; graphql-ws carries the same codes.
 */
export const ERROR_CODES = {
  UNAUTHENTICATED: 'no valid token: send "Authorization: Bearer <JWT>"',
  FORBIDDEN: 'the caller lacks a role the operation needs (registerAsset: admin)',
  NOT_FOUND: 'no such wallet, transfer or command for this caller (also when it is someone else\'s)',
  BAD_USER_INPUT: 'a variable or argument has the wrong type or breaks an input rule',
  IDEMPOTENCY_KEY_REUSED: 'the idempotency key was used before with other input',
  RATE_LIMITED: 'too many mutations: wait extensions.retryAfter seconds',
  TOKEN_EXPIRED: 'the token of a running subscription expired: subscribe again with a fresh one',
  SUBSCRIBER_TOO_SLOW: 'a subscription fell 1,000 updates behind and was ended: subscribe again to resume from the current state',
  GRAPHQL_PARSE_FAILED: 'the document is not GraphQL',
  GRAPHQL_VALIDATION_FAILED: 'the document does not fit the schema',
  OPERATION_RESOLUTION_FAILURE: 'the operation to run cannot be determined (operationName)',
  DEPTH_LIMIT_EXCEEDED: 'the document nests deeper than the limit',
  ALIAS_LIMIT_EXCEEDED: 'the document has more aliases than the limit',
  DIRECTIVE_LIMIT_EXCEEDED: 'the document has more directives than the limit',
  COST_LIMIT_EXCEEDED: 'the document would cost more than the limit',
  TOKEN_LIMIT_EXCEEDED: 'the document has more tokens than the limit',
  BAD_REQUEST: 'the HTTP request is not a GraphQL request (body, parameters, method)',
  CSRF_HEADER_REQUIRED: 'a GET or form request without a non-simple header (CSRF prevention)',
  REQUEST_ENTITY_TOO_LARGE: 'the request body is larger than the limit',
  INTERNAL_SERVER_ERROR: 'something failed on the server; it is logged, not shown',
} as const;

export type ErrorCode = keyof typeof ERROR_CODES;

/** Errors with a stable `extensions.code`: they pass error masking and clients branch on the code. */
export const coded = (code: ErrorCode, message: string, extensions: Record<string, unknown> = {}): GraphQLError =>
  createGraphQLError(message, { extensions: { code, ...extensions } });

/** A refusal of the whole request: 400 under application/graphql-response+json, 200 under application/json. */
export const requestError = (code: ErrorCode, message: string, extensions: Record<string, unknown> = {}): GraphQLError =>
  coded(code, message, { ...extensions, http: { spec: true, status: 400 } });

export const unauthenticated = (): GraphQLError =>
  coded('UNAUTHENTICATED', 'Authentication required: send "Authorization: Bearer <JWT>"');

export const forbidden = (message = 'Not allowed'): GraphQLError => coded('FORBIDDEN', message);

export const badUserInput = (message: string, field?: string): GraphQLError =>
  coded('BAD_USER_INPUT', message, field === undefined ? {} : { field });

export const notFound = (message: string): GraphQLError => coded('NOT_FOUND', message);

export const idempotencyKeyReused = (message: string): GraphQLError => coded('IDEMPOTENCY_KEY_REUSED', message);

export const subscriberTooSlow = (message: string): GraphQLError => coded('SUBSCRIBER_TOO_SLOW', message);
