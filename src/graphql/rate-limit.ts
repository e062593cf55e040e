import { getOperationAST, Kind, type OperationDefinitionNode } from 'graphql';
import type { Plugin } from 'graphql-yoga';
import type { GraphQLContext } from './context.js';
import { coded } from './errors.js';

/**
 * Mutations per user: a token bucket that holds `perMinute` tokens and refills at `perMinute` a
 * minute, so a user may burst up to the limit and then goes at the sustained rate. Each root
 * mutation field takes one token. Over the limit the whole operation is refused with
 * RATE_LIMITED and `extensions.retryAfter` (seconds; also the Retry-After header over HTTP).
 * (@envelop/rate-limiter was considered: it keys buckets per field, not per user, and its
 * Retry-After is the configured window, not the time until a token is back.)
 * Buckets live in this api process: with N api instances a user gets up to N times the limit.
 */
export type RateLimitOptions = Readonly<{ perMinute: number; now?: () => number; maxUsers?: number }>;

export type Bucket = { tokens: number; at: number };
export type TakeResult = { ok: true } | { ok: false; retryAfterSeconds: number };

export function createTokenBuckets({ perMinute, now = Date.now, maxUsers = 100_000 }: RateLimitOptions) {
  const capacity = perMinute;
  const perMs = perMinute / 60_000;
  const buckets = new Map<string, Bucket>();

  const refilled = (bucket: Bucket, at: number): Bucket => ({ tokens: Math.min(capacity, bucket.tokens + (at - bucket.at) * perMs), at });

  /** Full buckets hold nothing worth keeping: forget them when the map grows large. */
  const sweep = (at: number): void => {
    for (const [key, bucket] of buckets) if (refilled(bucket, at).tokens >= capacity) buckets.delete(key);
  };

  return {
    take(key: string, cost = 1): TakeResult {
      const at = now();
      const bucket = refilled(buckets.get(key) ?? { tokens: capacity, at }, at);
      if (bucket.tokens >= cost) {
        buckets.set(key, { tokens: bucket.tokens - cost, at });
        if (buckets.size > maxUsers) sweep(at);
        return { ok: true };
      }
      buckets.set(key, bucket);
      const waitMs = cost > capacity ? Number.POSITIVE_INFINITY : (cost - bucket.tokens) / perMs;
      return { ok: false, retryAfterSeconds: Number.isFinite(waitMs) ? Math.max(1, Math.ceil(waitMs / 1000)) : 60 };
    },
    size: () => buckets.size,
  };
}

/** Root fields of a mutation, fragments included: `mutation { a: deposit(...) b: deposit(...) }` costs 2. */
function rootFields(operation: OperationDefinitionNode): number {
  let count = 0;
  const walk = (selections: OperationDefinitionNode['selectionSet']['selections']): void => {
    for (const selection of selections) {
      if (selection.kind === Kind.FIELD) count += selection.name.value.startsWith('__') ? 0 : 1;
      else if (selection.kind === Kind.INLINE_FRAGMENT) walk(selection.selectionSet.selections);
      else count += 1; // a named fragment spread: at least one field
    }
  };
  walk(operation.selectionSet.selections);
  return count;
}

export function useMutationRateLimit(options: RateLimitOptions): Plugin<GraphQLContext> {
  if (options.perMinute <= 0) return {};
  const buckets = createTokenBuckets(options);
  return {
    onExecute: ({ args, setResultAndStopExecution }) => {
      const operation = getOperationAST(args.document, args.operationName ?? undefined);
      const principal = (args.contextValue as GraphQLContext).principal;
      // Anonymous mutations are refused anyway (UNAUTHENTICATED), and cost nothing.
      if (operation?.operation !== 'mutation' || principal === null) return;
      const cost = rootFields(operation);
      if (cost === 0) return;
      const taken = buckets.take(principal.sub, cost);
      if (taken.ok) return;
      const retryAfter = taken.retryAfterSeconds;
      setResultAndStopExecution({
        errors: [
          coded('RATE_LIMITED', `Too many mutations: at most ${options.perMinute} a minute; retry in ${retryAfter} s`, {
            retryAfter,
            http: { spec: true, status: 429, headers: { 'Retry-After': String(retryAfter) } },
          }),
        ],
      });
    },
  };
}
