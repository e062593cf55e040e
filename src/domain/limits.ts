/**
 * The shape rules of every input, defined once. The GraphQL edge imports them to refuse a
 * malformed request before anything is published (BAD_USER_INPUT); the deciders apply the same
 * rules to every command, whoever sent it (a rejection). Two copies drifted apart before: the
 * edge took 30 decimals and 16 networks that the domain then refused.
 */

/** Ids become NATS subject tokens: no dots, wildcards or spaces can reach a subject. */
export const ID_PATTERN = /^[A-Za-z0-9_-]{1,64}$/;
export const ID_RULE = 'must be 1 to 64 characters from A-Z a-z 0-9 _ -';
export const isId = (text: string): boolean => ID_PATTERN.test(text);

export const ASSET_CODE = /^[A-Z][A-Z0-9]{1,11}$/;
export const ASSET_CODE_RULE = 'must be 2 to 12 capital letters or digits, starting with a letter, like "BTC"';

export const NETWORK_NAME = /^[a-z0-9][a-z0-9-]{0,31}$/;
export const NETWORK_NAME_RULE = 'must be 1 to 32 lowercase letters, digits or dashes, not starting with a dash, like "ethereum"';

export const MAX_DECIMALS = 18;
export const MAX_NETWORKS = 10;

/** Names are shown in lists and logs: counted in code points after trimming. */
export const MAX_NAME_LENGTH = 100;

/** Longer amounts are refused before any work: 40 digits already exceed every sane limit. */
export const MAX_AMOUNT_LENGTH = 40;
/** A plain decimal: no sign, exponent, spaces, or bare "1." / ".5", so one input has one meaning. */
export const PLAIN_DECIMAL = /^(\d+)(?:\.(\d+))?$/;
export const AMOUNT_RULE = `must be a plain decimal string like "1.5" (no sign or exponent, at most ${MAX_AMOUNT_LENGTH} characters)`;

/** A client's idempotency key: opaque, bounded, and safe to log. */
export const IDEMPOTENCY_KEY = /^[A-Za-z0-9._:-]{1,128}$/;
export const IDEMPOTENCY_KEY_RULE = 'must be 1 to 128 characters from A-Z a-z 0-9 . _ : -';

export const isPlainDecimal = (text: string): boolean => text.length <= MAX_AMOUNT_LENGTH && PLAIN_DECIMAL.test(text);
