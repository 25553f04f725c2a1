/** Ordering the versions partners send (a sale's version, a reservation's updated_at): stale updates are ignored. */

/**
 * Whether `incoming` orders strictly before `stored` (then the update is stale). Digit strings compare as
 * integers (BigInt: epoch ms, counters, any size); ISO timestamps compare as instants. Values of different
 * kinds cannot be ordered and count as not older, so the update applies.
 */
export function isOlderVersion(incoming: string | null, stored: string | null): boolean {
  if (incoming === null || stored === null) return false;
  const integer = /^-?\d+$/;
  if (integer.test(incoming) && integer.test(stored)) return BigInt(incoming) < BigInt(stored);
  if (integer.test(incoming) || integer.test(stored)) return false;
  const a = Date.parse(incoming);
  const b = Date.parse(stored);
  if (Number.isNaN(a) || Number.isNaN(b)) return false;
  return a < b;
}
