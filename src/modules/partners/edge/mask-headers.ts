/**
 * The headers an event is stored with (the console's event detail, CONTRACT §13): what the POS sent, with
 * every signature and secret masked before anything leaves the edge — the headers the partner's scheme
 * reads, and any header whose name says it carries credentials (signatures, HMACs, tokens, keys, cookies,
 * `Authorization`). A masked value keeps only its length, so a partner manager can still tell an empty
 * header from a wrong one. At most MAX_HEADERS headers of at most MAX_VALUE characters each are kept.
 */

export const MASKED = (length: number): string => `[masked, ${length} characters]`;

const CREDENTIAL_NAME = /sign|hmac|auth|token|secret|key|password|passwd|cookie|credential|session|sig$/i;
const MAX_HEADERS = 64;
const MAX_VALUE = 1024;

/** `headers`: lower-case names (Node's parser); `signatureHeaders`: the scheme's own (signatureHeadersOf). */
export function maskHeaders(headers: Readonly<Record<string, string>>, signatureHeaders: readonly string[]): Record<string, string> {
  const secret = new Set(signatureHeaders.map((h) => h.toLowerCase()));
  const out: Record<string, string> = {};
  let n = 0;
  for (const name in headers) {
    if (n++ >= MAX_HEADERS) break;
    const value = headers[name]!;
    if (secret.has(name) || CREDENTIAL_NAME.test(name)) out[name] = MASKED(value.length);
    else out[name] = value.length > MAX_VALUE ? `${value.slice(0, MAX_VALUE)}… (truncated)` : value;
  }
  return out;
}
