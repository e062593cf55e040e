import { badUserInput } from './errors.js';

const DEFAULT_PAGE = 20;
const MAX_PAGE = 100;

/** Cursors are opaque to clients: base64url of a sequence number they must not build themselves. */
export const encodeCursor = (seq: number): string => Buffer.from(String(seq), 'utf8').toString('base64url');

export function decodeCursor(cursor: string | null | undefined, field = 'after'): number | undefined {
  if (cursor === null || cursor === undefined) return undefined;
  const text = cursor.length <= 32 ? Buffer.from(cursor, 'base64url').toString('utf8') : '';
  if (!/^\d{1,15}$/.test(text)) throw badUserInput(`${field}: not a cursor this API returned`, field);
  return Number(text);
}

export function pageSize(first: number | null | undefined, field = 'first'): number {
  if (first === null || first === undefined) return DEFAULT_PAGE;
  if (!Number.isInteger(first) || first < 1 || first > MAX_PAGE) {
    throw badUserInput(`${field} must be between 1 and ${MAX_PAGE}`, field);
  }
  return first;
}
