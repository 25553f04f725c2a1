import { randomFillSync } from 'node:crypto';

/** Type prefixes for opaque ids (CONTRACT §2). */
export type IdPrefix =
  | 'ven' | 'area' | 'tbl' | 'svc' | 'vev' | 'cus' | 'bk' | 'sl' | 'sli' | 'ptn' | 'loc' | 'map'
  | 'evt' | 'key' | 'wh' | 'whd' | 'wha' | 'msg' | 'idem' | 'usr' | 'inv' | 'rv' | 'rvi' | 'chn' | 'chk'
  | 'eml' | 'ema' | 'enq';

const ALPHABET = '0123456789abcdefghijklmnopqrstuvwxyz';

const RANDOM_CHARS = 12;
// Random bytes are drawn from the CSPRNG in blocks (one call per ~340 ids rather than one per id); each
// byte is used once.
const pool = Buffer.alloc(4096);
let poolOffset = pool.length;

/**
 * `<prefix>_<10 chars time><12 chars random>`: opaque to clients, but roughly time-ordered so
 * ordering by id is ordering by creation (cursor pagination relies on that). Never all digits and
 * free of ':' so it is a safe BullMQ job id.
 */
export function newId(prefix: IdPrefix): string {
  return `${prefix}_${Date.now().toString(36).padStart(10, '0')}${randomChars(ALPHABET, RANDOM_CHARS)}`;
}

/**
 * `n` characters of `alphabet` drawn from the CSPRNG, one byte each (uniform when the alphabet's length
 * divides 256).
 */
export function randomChars(alphabet: string, n: number): string {
  if (poolOffset + n > pool.length) {
    randomFillSync(pool);
    poolOffset = 0;
  }
  let out = '';
  for (let i = poolOffset, end = poolOffset + n; i < end; i++) out += alphabet[pool[i]! % alphabet.length];
  poolOffset += n;
  return out;
}
