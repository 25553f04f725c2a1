import { randomBytes } from 'node:crypto';

/** Type prefixes for opaque ids (CONTRACT §2). */
export type IdPrefix =
  | 'ven' | 'area' | 'tbl' | 'svc' | 'vev' | 'cus' | 'bk' | 'sl' | 'sli' | 'ptn' | 'loc' | 'map'
  | 'evt' | 'key' | 'wh' | 'whd' | 'wha' | 'msg' | 'idem';

const ALPHABET = '0123456789abcdefghijklmnopqrstuvwxyz';
const RANDOM_CHARS = 12;
// Random bytes drawn 3 KiB at a time (as crypto.randomUUID does): one randomBytes call per id cost
// several microseconds on hot paths that mint an id per request.
let pool = Buffer.alloc(0);
let poolOffset = 0;

/**
 * `<prefix>_<10 chars time><12 chars random>`: opaque to clients, but roughly time-ordered so
 * ordering by id is ordering by creation (cursor pagination relies on that). Never all digits and
 * free of ':' so it is a safe BullMQ job id.
 */
export function newId(prefix: IdPrefix): string {
  const time = Date.now().toString(36).padStart(10, '0');
  if (poolOffset + RANDOM_CHARS > pool.length) {
    pool = randomBytes(RANDOM_CHARS * 256);
    poolOffset = 0;
  }
  let rand = '';
  for (let i = 0; i < RANDOM_CHARS; i++) rand += ALPHABET[pool[poolOffset++]! % 36];
  return `${prefix}_${time}${rand}`;
}
