/**
 * Instants as the ledger accepts them: RFC 3339 date-times (`2026-11-22T10:00:00Z`,
 * `2026-11-22T12:00:00.5+02:00`). Seconds and an offset are required: without the offset the
 * meaning would depend on the server's time zone. The JS parser alone is too lenient (it rolls
 * "02-30" over into March and takes many other spellings), so the calendar is checked here.
 * The GraphQL DateTime scalar uses this same function, so the edge and the domain agree.
 */

const RFC_3339 = /^(\d{4})-(\d{2})-(\d{2})[Tt](\d{2}):(\d{2}):(\d{2})(?:\.(\d{1,9}))?(?:([Zz])|([+-])(\d{2}):(\d{2}))$/;

/** Epoch milliseconds of a valid RFC 3339 instant, or null. A leap second (:60) has no JS instant and is refused. */
export const parseInstant = (text: string): number | null => {
  const m = RFC_3339.exec(text);
  if (!m) return null;
  const [year, month, day, hour, minute, second] = [m[1], m[2], m[3], m[4], m[5], m[6]].map(Number) as [
    number, number, number, number, number, number,
  ];
  if (month < 1 || month > 12 || day < 1 || day > daysInMonth(year, month)) return null;
  if (hour > 23 || minute > 59 || second > 59) return null;
  let offsetMinutes = 0;
  if (m[8] === undefined) {
    const [offsetHour, offsetMinute] = [Number(m[10]), Number(m[11])];
    if (offsetHour > 23 || offsetMinute > 59) return null;
    offsetMinutes = (m[9] === '-' ? -1 : 1) * (offsetHour * 60 + offsetMinute);
  }
  const millis = Number((m[7] ?? '').padEnd(3, '0').slice(0, 3));
  // setUTCFullYear, not Date.UTC: Date.UTC reads the years 0..99 as 1900..1999.
  const date = new Date(0);
  date.setUTCFullYear(year, month - 1, day);
  date.setUTCHours(hour, minute, second, millis);
  return date.getTime() - offsetMinutes * 60_000;
};

/** The one spelling of an instant the journal uses: UTC, milliseconds, "Z". */
export const normaliseInstant = (ms: number): string => new Date(ms).toISOString();

const daysInMonth = (year: number, month: number): number => {
  if (month === 2) return (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0 ? 29 : 28;
  return [4, 6, 9, 11].includes(month) ? 30 : 31;
};
