import { randomBytes } from 'node:crypto';

/** Type prefixes for opaque ids (CONTRACT §2). */
export type IdPrefix =
  | 'ven' | 'area' | 'tbl' | 'svc' | 'vev' | 'cus' | 'bk' | 'sl' | 'sli' | 'ptn' | 'loc' | 'map'
  | 'evt' | 'key' | 'wh' | 'whd' | 'wha' | 'msg' | 'idem';

const ALPHABET = '0123456789abcdefghijklmnopqrstuvwxyz';

/**
 * `<prefix>_<10 chars time><12 chars random>`: opaque to clients, but roughly time-ordered so
 * ordering by id is ordering by creation (cursor pagination relies on that). Never all digits and
 * free of ':' so it is a safe BullMQ job id.
 */
export function newId(prefix: IdPrefix): string {
  const time = Date.now().toString(36).padStart(10, '0');
  const bytes = randomBytes(12);
  let rand = '';
  for (const b of bytes) rand += ALPHABET[b % 36];
  return `${prefix}_${time}${rand}`;
}
