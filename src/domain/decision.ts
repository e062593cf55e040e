import type { Rejection } from './rejection.js';

/**
 * What a decider answers. Every accepted command produces exactly one event, so "exactly one
 * effect" reduces to "this event was appended once": there is never a half-applied command.
 */
export type Decision<E> =
  | Readonly<{ kind: 'accepted'; event: E }>
  | Readonly<{ kind: 'rejected'; rejection: Rejection }>;

export const accepted = <E>(event: E): Decision<E> => ({ kind: 'accepted', event });
export const rejected = <E = never>(rejection: Rejection): Decision<E> => ({ kind: 'rejected', rejection });
