import { currencyExponent, isRecord, parseJsonBody, type PartnerAdapter } from '../types';

/**
 * Lightspeed Restaurant K-Series, "Reservations for Platforms" notifications (see README.md).
 * Amounts arrive as decimals in major units (`totalAmount: 86.5`); normalise adds a `<field>Minor`
 * integer beside each so mappings never do float arithmetic. Ids beyond 2^53
 * (`businessLocationId: 9765040300495493`) are kept as digit strings by the lossless parser.
 */

const ACCOUNT_MONEY = ['totalAmount', 'paidAmount', 'gratuityAmount', 'taxAmount', 'preTaxAmount', 'serviceCharge'];
const LINE_MONEY = ['amount', 'amountWithTax', 'amountLessTax', 'unitAmount', 'grossUnitAmount', 'discountedAmount'];
const PAYMENT_MONEY = ['amount', 'gratuityAmount'];

/** The ISO 4217 minor-unit exponent (EUR 2, JPY 0, BHD 3), as `$minor` reads it; 2 for a code ISO 4217 does not list. */
export function exponentOf(currency: unknown): number {
  return currencyExponent(currency) ?? 2;
}

/**
 * Decimal major units → integer minor units, exactly for decimal text ("4.00", 14.12 → 1412):
 * the digits are shifted as a string, rounding half away from zero beyond the exponent.
 * `undefined` when the value is not a finite decimal.
 */
export function toMinorUnits(value: unknown, exponent: number): number | undefined {
  let text: string;
  if (typeof value === 'number') {
    if (!Number.isFinite(value)) return undefined;
    text = String(value);
    if (/e/i.test(text)) return Math.round(value * 10 ** exponent);
  } else if (typeof value === 'string') {
    text = value.trim();
  } else {
    return undefined;
  }
  const match = /^([+-]?)(\d+)(?:\.(\d*))?$/.exec(text);
  if (!match) return undefined;
  const [, sign, whole, fraction = ''] = match;
  const digits = whole + fraction.padEnd(exponent, '0').slice(0, exponent);
  let minor = Number(digits);
  if (Number(fraction.charAt(exponent) || '0') >= 5) minor += 1;
  if (!Number.isSafeInteger(minor)) return undefined;
  return sign === '-' && minor !== 0 ? -minor : minor;
}

function withMinor(obj: Record<string, unknown>, fields: string[], exponent: number): Record<string, unknown> {
  const out: Record<string, unknown> = { ...obj };
  for (const field of fields) {
    const minor = toMinorUnits(obj[field], exponent);
    if (minor !== undefined) out[`${field}Minor`] = minor;
  }
  return out;
}

function normaliseAccount(account: Record<string, unknown>): Record<string, unknown> {
  const exponent = exponentOf(account.currencyCode);
  const out = withMinor(account, ACCOUNT_MONEY, exponent);
  if (Array.isArray(account.transactionLines)) {
    out.transactionLines = account.transactionLines.map((line) =>
      isRecord(line) ? withMinor(line, LINE_MONEY, exponent) : line,
    );
  }
  if (Array.isArray(account.paymentLines)) {
    out.paymentLines = account.paymentLines.map((line) =>
      isRecord(line) ? withMinor(line, PAYMENT_MONEY, exponentOf(line.currencyCode ?? account.currencyCode)) : line,
    );
  }
  return out;
}

export const lightspeed = {
  name: 'lightspeed',
  parse: (rawBody: Buffer) => parseJsonBody(rawBody),
  normalise: (body: unknown) =>
    isRecord(body) && isRecord(body.account) ? { ...body, account: normaliseAccount(body.account) } : body,
} satisfies PartnerAdapter;
