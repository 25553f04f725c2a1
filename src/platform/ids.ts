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
  const at = take(n);
  let out = '';
  for (let i = at, end = at + n; i < end; i++) out += alphabet[pool[i]! % alphabet.length];
  return out;
}

/**
 * `n` (at most 256) fresh bytes from the CSPRNG, drawn from the same block as the ids (a call to the
 * CSPRNG costs a few µs whatever its size): for manage tokens and AES-GCM nonces, each byte used once.
 */
export function randomBytesPooled(n: number): Buffer {
  if (!(n >= 0 && n <= 256)) throw new RangeError(`randomBytesPooled: ${n} bytes`);
  const at = take(n);
  return Buffer.from(pool.subarray(at, at + n));
}

/** The offset of `n` unused pool bytes, refilling the pool when fewer are left. */
function take(n: number): number {
  if (poolOffset + n > pool.length) {
    randomFillSync(pool);
    poolOffset = 0;
  }
  const at = poolOffset;
  poolOffset += n;
  return at;
}
