import { randomFillSync } from 'node:crypto';

/** Type prefixes for opaque ids (CONTRACT §2). */
export type IdPrefix =
  | 'ven' | 'area' | 'tbl' | 'svc' | 'vev' | 'cus' | 'bk' | 'sl' | 'sli' | 'ptn' | 'loc' | 'map'
  | 'evt' | 'key' | 'wh' | 'whd' | 'wha' | 'msg' | 'idem';

const ALPHABET = '0123456789abcdefghijklmnopqrstuvwxyz';
const RANDOM_CHARS = 12;

/**
 * Random bytes drawn from the CSPRNG a few kilobytes at a time and handed out once each: one call into
 * the crypto library per 256 ids instead of one per id (the pipeline mints several ids per sale).
 */
const pool = Buffer.allocUnsafe(RANDOM_CHARS * 256);
let offset = pool.length;

/**
 * `<prefix>_<10 chars time><12 chars random>`: opaque to clients, but roughly time-ordered so
 * ordering by id is ordering by creation (cursor pagination relies on that). Never all digits and
 * free of ':' so it is a safe BullMQ job id.
 */
export function newId(prefix: IdPrefix): string {
  const time = Date.now().toString(36).padStart(10, '0');
  if (offset + RANDOM_CHARS > pool.length) {
    randomFillSync(pool);
    offset = 0;
  }
  let rand = '';
  for (let i = offset, end = offset + RANDOM_CHARS; i < end; i++) rand += ALPHABET[pool[i]! % 36];
  offset += RANDOM_CHARS;
  return `${prefix}_${time}${rand}`;
}
