import { describe, expect, it } from 'vitest';
import { normaliseInstant, parseInstant } from '../../../src/domain/instant.js';

describe('parseInstant', () => {
  it.each([
    ['2026-11-22T10:00:00.000Z', '2026-11-22T10:00:00.000Z'],
    ['2026-11-22T10:00Z', '2026-11-22T10:00:00.000Z'],
    ['2026-11-22T12:00:00+02:00', '2026-11-22T10:00:00.000Z'],
    ['2026-11-22T10:00:00.123456789Z', '2026-11-22T10:00:00.123Z'],
    ['2028-02-29T00:00:00Z', '2028-02-29T00:00:00.000Z'],
    ['2000-02-29T00:00:00Z', '2000-02-29T00:00:00.000Z'],
  ])('reads %s as %s', (text, iso) => {
    const ms = parseInstant(text);
    expect(ms).not.toBeNull();
    expect(normaliseInstant(ms!)).toBe(iso);
  });

  it.each([
    [''],
    ['2026-11-22'],
    ['2026-11-22T10:00:00'], // no zone: would depend on the server's time zone
    ['2026-11-22 10:00:00Z'],
    ['2026-02-29T00:00:00Z'],
    ['1900-02-29T00:00:00Z'],
    ['2026-04-31T00:00:00Z'],
    ['2026-13-01T00:00:00Z'],
    ['2026-11-22T24:00:00Z'],
    ['2026-11-22T10:60:00Z'],
    ['2026-11-22T10:00:60Z'],
    ['2026-11-22T10:00:00+24:00'],
    ['+002026-11-22T10:00:00Z'],
    ['Sun, 22 Nov 2026 10:00:00 GMT'],
    ['1795341600000'],
  ])('refuses %j', (text) => {
    expect(parseInstant(text)).toBeNull();
  });
});
