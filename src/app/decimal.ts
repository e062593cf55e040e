/**
 * Exact arithmetic on decimal strings, for read models that derive one amount from others
 * (available = total - reserved) without knowing the asset's scale. Floats never touch money:
 * both operands are scaled to a common number of fractional digits as bigints.
 */
const DECIMAL = /^(-)?(\d+)(?:\.(\d+))?$/;

type Scaled = Readonly<{ units: bigint; scale: number }>;

function parse(value: string): Scaled {
  const match = DECIMAL.exec(value);
  if (!match) throw new RangeError(`not a decimal string: "${value}"`);
  const [, sign, whole = '', fraction = ''] = match;
  const units = BigInt(whole + fraction);
  return { units: sign ? -units : units, scale: fraction.length };
}

function rescale(value: Scaled, scale: number): bigint {
  return value.units * 10n ** BigInt(scale - value.scale);
}

/** The canonical form: no leading zeros, no trailing fractional zeros, "0" for any zero ("-0.00" too). */
export function formatDecimal(units: bigint, scale: number): string {
  const negative = units < 0n;
  let digits = (negative ? -units : units).toString().padStart(scale + 1, '0');
  let fractionDigits = scale;
  while (fractionDigits > 0 && digits.endsWith('0')) {
    digits = digits.slice(0, -1);
    fractionDigits -= 1;
  }
  const whole = digits.slice(0, digits.length - fractionDigits);
  const fraction = digits.slice(digits.length - fractionDigits);
  const body = fraction ? `${whole}.${fraction}` : whole;
  return negative ? `-${body}` : body;
}

export function canonicalDecimal(value: string): string {
  const { units, scale } = parse(value);
  return formatDecimal(units, scale);
}

export function subtractDecimal(a: string, b: string): string {
  const x = parse(a);
  const y = parse(b);
  const scale = Math.max(x.scale, y.scale);
  return formatDecimal(rescale(x, scale) - rescale(y, scale), scale);
}

export function addDecimal(a: string, b: string): string {
  const x = parse(a);
  const y = parse(b);
  const scale = Math.max(x.scale, y.scale);
  return formatDecimal(rescale(x, scale) + rescale(y, scale), scale);
}

/** -1, 0 or 1 as `a` is below, equal to or above `b`; "1.50" equals "1.5". */
export function compareDecimal(a: string, b: string): -1 | 0 | 1 {
  const x = parse(a);
  const y = parse(b);
  const scale = Math.max(x.scale, y.scale);
  const d = rescale(x, scale) - rescale(y, scale);
  return d < 0n ? -1 : d > 0n ? 1 : 0;
}
