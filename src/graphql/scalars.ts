import { Kind, type ValueNode } from 'graphql';
import { normaliseInstant, parseInstant } from '../domain/instant.js';
import { AMOUNT_RULE, isPlainDecimal } from '../domain/limits.js';
import { builder } from './builder.js';
import { badUserInput } from './errors.js';

/**
 * Amounts stay strings end to end: a float literal would already have lost precision in the
 * client. The shape is the domain's; whether the amount fits the asset is the domain's decision.
 */
export function parseDecimal(value: unknown): string {
  if (typeof value !== 'string' || !isPlainDecimal(value)) throw badUserInput(`Decimal ${AMOUNT_RULE}`);
  return value;
}

/** Only real RFC 3339 instants, checked by the same function the domain uses (no "2030-02-30"). */
export function parseDateTime(value: unknown): Date {
  const ms = typeof value === 'string' ? parseInstant(value) : null;
  if (ms === null) throw badUserInput('DateTime must be an RFC 3339 date-time with seconds and an offset, like "2030-01-01T00:00:00Z"');
  return new Date(ms);
}

const stringLiteral = (node: ValueNode): unknown => (node.kind === Kind.STRING ? node.value : undefined);

export const DecimalScalar = builder.scalarType('Decimal', {
  description: 'Exact decimal amount as a string, e.g. "0.00000001". Never a float.',
  serialize: (value) => String(value),
  parseValue: parseDecimal,
  parseLiteral: (node) => parseDecimal(stringLiteral(node)),
});

export const DateTimeScalar = builder.scalarType('DateTime', {
  description: 'An instant: an RFC 3339 date-time in, a UTC string out, e.g. "2030-01-01T00:00:00.000Z".',
  serialize: (value) => normaliseInstant((value instanceof Date ? value : new Date(String(value))).getTime()),
  parseValue: parseDateTime,
  parseLiteral: (node) => parseDateTime(stringLiteral(node)),
});
