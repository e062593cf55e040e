import { Kind, type ValueNode } from 'graphql';
import { builder } from './builder.js';
import { badUserInput } from './errors.js';

const DECIMAL = /^-?\d+(\.\d+)?$/;
const DECIMAL_MAX_LENGTH = 40;
// A timezone is required: a local time would mean a different instant on every server.
const ISO_8601 = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}:\d{2})$/;

/** Amounts stay strings end to end: a float literal would already have lost precision in the client. */
export function parseDecimal(value: unknown): string {
  if (typeof value !== 'string' || value.length > DECIMAL_MAX_LENGTH || !DECIMAL.test(value)) {
    throw badUserInput('Decimal must be a string like "1.5"');
  }
  return value;
}

export function parseDateTime(value: unknown): Date {
  const date = typeof value === 'string' && ISO_8601.test(value) ? new Date(value) : null;
  if (date === null || Number.isNaN(date.getTime())) {
    throw badUserInput('DateTime must be an ISO-8601 string with a timezone, like "2030-01-01T00:00:00Z"');
  }
  return date;
}

const stringLiteral = (node: ValueNode): unknown => (node.kind === Kind.STRING ? node.value : undefined);

export const DecimalScalar = builder.scalarType('Decimal', {
  description: 'Exact decimal amount as a string, e.g. "0.00000001". Never a float.',
  serialize: (value) => String(value),
  parseValue: parseDecimal,
  parseLiteral: (node) => parseDecimal(stringLiteral(node)),
});

export const DateTimeScalar = builder.scalarType('DateTime', {
  description: 'An instant as an ISO-8601 UTC string, e.g. "2030-01-01T00:00:00.000Z".',
  serialize: (value) => (value instanceof Date ? value : new Date(String(value))).toISOString(),
  parseValue: parseDateTime,
  parseLiteral: (node) => parseDateTime(stringLiteral(node)),
});
