/**
 * ISO-8601 instants as the domain accepts them: a full date and time with an explicit offset.
 * Without the offset the meaning would depend on the server's time zone; and the JS parser alone
 * is too lenient (it rolls "02-30" over into March), so the calendar is checked here.
 */

const ISO_INSTANT = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})(?::(\d{2})(?:\.\d{1,9})?)?(?:Z|([+-])(\d{2}):(\d{2}))$/;

/** Epoch milliseconds of a valid ISO instant, or null. */
export const parseInstant = (text: string): number | null => {
  const m = ISO_INSTANT.exec(text);
  if (!m) return null;
  const [year, month, day, hour, minute, second] = [m[1], m[2], m[3], m[4], m[5], m[6] ?? '0'].map(Number) as [
    number, number, number, number, number, number,
  ];
  if (month < 1 || month > 12 || day < 1 || day > daysInMonth(year, month)) return null;
  if (hour > 23 || minute > 59 || second > 59) return null;
  if (m[7] !== undefined && (Number(m[8]) > 23 || Number(m[9]) > 59)) return null;
  const ms = Date.parse(text);
  return Number.isNaN(ms) ? null : ms;
};

/** The one spelling of an instant the journal uses: UTC, milliseconds, "Z". */
export const normaliseInstant = (ms: number): string => new Date(ms).toISOString();

const daysInMonth = (year: number, month: number): number => {
  if (month === 2) return (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0 ? 29 : 28;
  return [4, 6, 9, 11].includes(month) ? 30 : 31;
};
