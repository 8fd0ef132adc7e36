// Kubernetes resource quantities ("500m", "1Gi", "1e3"), parsed exactly so
// that a rendered value and the canonical form the API server stores compare
// by value: "1000m" = "1", "1Gi" = "1073741824", "0.5" = "500m".

/** An exact value: numerator / 10^scale. */
export interface Quantity {
  numerator: bigint;
  scale: number;
}

const binary: Record<string, number> = { Ki: 1, Mi: 2, Gi: 3, Ti: 4, Pi: 5, Ei: 6 };
const decimal: Record<string, number> = { n: -9, u: -6, m: -3, '': 0, k: 3, M: 6, G: 9, T: 12, P: 15, E: 18 };

// <sign><digits>[.<digits>] followed by a binary or decimal SI suffix or a
// decimal exponent. "1E" is exa, "1E3" is an exponent; the regex tries the
// suffix first and backtracks to the exponent.
const syntax = /^([+-]?)([0-9]+\.?[0-9]*|\.[0-9]+)(?:(Ki|Mi|Gi|Ti|Pi|Ei|n|u|m|k|M|G|T|P|E)?|[eE]([+-]?[0-9]{1,3}))$/;

/** Parses a quantity; undefined when the text is not one. Numbers are read as their decimal text. */
export function parseQuantity(value: string | number): Quantity | undefined {
  const text = typeof value === 'number' ? (Number.isFinite(value) ? String(value) : '') : value;
  const m = syntax.exec(text);
  if (!m) return undefined;
  const [, sign = '', number = '', suffix, exponent] = m;
  const [whole = '', fraction = ''] = number.split('.');
  let numerator = BigInt(`${whole}${fraction}` || '0');
  let scale = fraction.length;
  if (exponent !== undefined) {
    scale -= Number(exponent);
  } else if (suffix !== undefined && suffix in binary) {
    numerator *= 1024n ** BigInt(binary[suffix] ?? 0);
  } else {
    scale -= decimal[suffix ?? ''] ?? 0;
  }
  if (sign === '-') numerator = -numerator;
  return { numerator, scale };
}

/** Whether two quantities have the same value. */
export function sameQuantity(a: Quantity, b: Quantity): boolean {
  const scale = Math.max(a.scale, b.scale);
  return a.numerator * 10n ** BigInt(scale - a.scale) === b.numerator * 10n ** BigInt(scale - b.scale);
}

/** -1, 0 or 1 as a is less than, equal to or more than b. */
export function compareQuantity(a: Quantity, b: Quantity): -1 | 0 | 1 {
  const scale = Math.max(a.scale, b.scale);
  const x = a.numerator * 10n ** BigInt(scale - a.scale);
  const y = b.numerator * 10n ** BigInt(scale - b.scale);
  return x < y ? -1 : x > y ? 1 : 0;
}
