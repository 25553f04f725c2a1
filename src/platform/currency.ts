import currencyCodes from 'currency-codes';

/**
 * The ISO 4217 exponent (minor-unit digits) of a currency code: EUR 2, JPY 0, BHD 3 (CONTRACT §1, §5). No
 * currency (undefined, null) is 2, as CONTRACT §5 says for `$minor`; a code ISO 4217 does not list is
 * undefined, for the caller to refuse (`$minor`) or default (an adapter). Codes are read trimmed and in
 * capitals. The one table: the mapping functions and the adapters (through adapters/types.ts) use it.
 */
export function currencyExponent(currency: unknown): number | undefined {
  if (currency === undefined || currency === null) return DEFAULT_EXPONENT;
  if (typeof currency !== 'string') return undefined;
  const code = currency.trim().toUpperCase();
  if (!/^[A-Z]{3}$/.test(code)) return undefined;
  // Every order of a POS asks once per payment line: the code list is searched once per code.
  let exponent = exponents.get(code);
  if (exponent === undefined && !exponents.has(code)) {
    exponent = currencyCodes.code(code)?.digits;
    exponents.set(code, exponent);
  }
  return exponent;
}

const DEFAULT_EXPONENT = 2;
/** At most the 26^3 well-formed codes. */
const exponents = new Map<string, number | undefined>();
