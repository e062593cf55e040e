import type { Rejection } from './rejection.js';

/** The answer of one rule: the value it vouches for, or the rejection the decider should return. */
export type Check<T> = { ok: true; value: T } | { ok: false; rejection: Rejection };

export const ok = <T>(value: T): Check<T> => ({ ok: true, value });
export const no = <T = never>(rejection: Rejection): Check<T> => ({ ok: false, rejection });
