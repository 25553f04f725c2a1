/**
 * Retry timing for outbound webhook deliveries (CONTRACT §7: exponential backoff with jitter, first retry
 * within a minute, at least 8 attempts over at least 24 h, configurable).
 *
 * Delay before attempt n+1 after n failed attempts:
 *   nominal(n) = min(max_ms, base_ms * factor^(n-1))
 *   delay(n)   = nominal(n) * (1 - jitter * random),  random in [0, 1)
 * jitter = 1 is AWS "full jitter"; the default 0.2 keeps most of the spread (receivers recovering from an
 * outage are not hit by every sender at once) while giving a guaranteed lower bound on the total span,
 * which full or decorrelated jitter cannot (their sum can be near zero), and the contract promises 24 h.
 * The delay never exceeds nominal(n), so "first retry within a minute" holds for every draw.
 *
 * Default (base 30 s, factor 3, cap 12 h, 10 attempts, jitter 0.2):
 *
 *   after attempt  nominal delay  min delay   next attempt at (nominal, from the first)
 *   1              30 s           24 s        #2   30 s
 *   2              1.5 min        72 s        #3   2 min
 *   3              4.5 min        3.6 min     #4   6.5 min
 *   4              13.5 min       10.8 min    #5   20 min
 *   5              40.5 min       32.4 min    #6   1.0 h
 *   6              2.0 h          1.6 h       #7   3.0 h
 *   7              6.1 h          4.9 h       #8   9.1 h
 *   8              12 h (cap)     9.6 h       #9   21.1 h
 *   9              12 h (cap)     9.6 h       #10  33.1 h
 *
 * Span from first to last attempt: 33.1 h nominal, at least 26.5 h whatever the jitter.
 * Config: WEBHOOK_RETRY_SCHEDULE="base_ms=50,factor=2,max_ms=200,attempts=4[,jitter=0.2]" (see parseRetrySchedule).
 */

export interface RetrySchedule {
  /** First retry's nominal delay. @defaultValue 30_000 */
  baseMs: number;
  /** Growth per retry (>= 1). @defaultValue 3 */
  factor: number;
  /** Cap on one delay. @defaultValue 43_200_000 (12 h) */
  maxMs: number;
  /** Total attempts including the first (BullMQ `attempts`). @defaultValue 10 */
  attempts: number;
  /** Fraction of each delay that is randomised downwards, 0..1 (1 = full jitter). @defaultValue 0.2 */
  jitter: number;
}

export const DEFAULT_RETRY_SCHEDULE: Readonly<RetrySchedule> = Object.freeze({
  baseMs: 30_000,
  factor: 3,
  maxMs: 12 * 60 * 60 * 1000,
  attempts: 10,
  jitter: 0.2,
});

/** Delay without jitter before the attempt that follows `attemptsMade` failed attempts (1-based). */
export function nominalDelayMs(attemptsMade: number, schedule: RetrySchedule = DEFAULT_RETRY_SCHEDULE): number {
  const n = Math.max(1, Math.floor(attemptsMade));
  // Math.min before the power would overflow to Infinity for large n; Infinity is still capped correctly.
  return Math.min(schedule.maxMs, schedule.baseMs * Math.pow(schedule.factor, n - 1));
}

/**
 * Delay before the next attempt, given how many attempts were made (BullMQ's `attemptsMade` in a custom
 * backoff strategy: 1 after the first failure). Stopping after `schedule.attempts` is the queue's job.
 */
export function retryDelayMs(
  attemptsMade: number,
  schedule: RetrySchedule = DEFAULT_RETRY_SCHEDULE,
  random: () => number = Math.random,
): number {
  const nominal = nominalDelayMs(attemptsMade, schedule);
  return Math.round(nominal * (1 - schedule.jitter * random()));
}

/** Guaranteed minimum time from the first to the last attempt (every jitter draw at its worst). */
export function totalSpanMs(schedule: RetrySchedule = DEFAULT_RETRY_SCHEDULE): number {
  let total = 0;
  for (let n = 1; n < schedule.attempts; n++) total += nominalDelayMs(n, schedule) * (1 - schedule.jitter);
  return Math.round(total);
}

const KEYS = {
  base_ms: 'baseMs',
  factor: 'factor',
  max_ms: 'maxMs',
  attempts: 'attempts',
  jitter: 'jitter',
} as const satisfies Record<string, keyof RetrySchedule>;

/**
 * Parses `"base_ms=50,factor=2,max_ms=200,attempts=4"`; missing keys keep their defaults, an empty value
 * gives the default schedule. Throws an Error whose message config.ts can prefix with the variable name.
 */
export function parseRetrySchedule(value: string | undefined): RetrySchedule {
  const schedule: RetrySchedule = { ...DEFAULT_RETRY_SCHEDULE };
  if (value === undefined || value.trim() === '') return schedule;
  for (const part of value.split(',')) {
    const [rawKey, rawValue, ...rest] = part.split('=').map((s) => s.trim());
    if (!rawKey || rawValue === undefined || rawValue === '' || rest.length > 0) {
      throw new Error(`expected key=value pairs separated by commas, got "${part.trim()}"`);
    }
    if (!Object.prototype.hasOwnProperty.call(KEYS, rawKey)) {
      throw new Error(`unknown key "${rawKey}" (expected ${Object.keys(KEYS).join(', ')})`);
    }
    const num = Number(rawValue);
    if (!Number.isFinite(num)) throw new Error(`${rawKey} must be a number, got "${rawValue}"`);
    schedule[KEYS[rawKey as keyof typeof KEYS]] = num;
  }
  const { baseMs, factor, maxMs, attempts, jitter } = schedule;
  if (!Number.isInteger(baseMs) || baseMs < 1) throw new Error('base_ms must be a positive integer');
  if (factor < 1) throw new Error('factor must be at least 1');
  if (!Number.isInteger(maxMs) || maxMs < baseMs) throw new Error('max_ms must be an integer >= base_ms');
  if (!Number.isInteger(attempts) || attempts < 1 || attempts > 100) {
    throw new Error('attempts must be an integer from 1 to 100');
  }
  if (jitter < 0 || jitter > 1) throw new Error('jitter must be between 0 and 1');
  return schedule;
}
