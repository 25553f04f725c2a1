import {
  DEFAULT_RETRY_SCHEDULE,
  nominalDelayMs,
  parseRetrySchedule,
  retryDelayMs,
  totalSpanMs,
} from '../../src/platform/retry-schedule';

const HOUR = 60 * 60 * 1000;

describe('default retry schedule (CONTRACT §7)', () => {
  it('makes at least 8 attempts over at least 24 h, whatever the jitter', () => {
    expect(DEFAULT_RETRY_SCHEDULE.attempts).toBeGreaterThanOrEqual(8);
    expect(totalSpanMs(DEFAULT_RETRY_SCHEDULE)).toBeGreaterThanOrEqual(24 * HOUR);
  });

  it('retries the first time within a minute for any random draw', () => {
    for (const r of [0, 0.5, 0.999999]) {
      const delay = retryDelayMs(1, DEFAULT_RETRY_SCHEDULE, () => r);
      expect(delay).toBeGreaterThan(0);
      expect(delay).toBeLessThanOrEqual(60_000);
    }
  });

  it('grows exponentially up to the cap', () => {
    const nominal = Array.from({ length: 9 }, (_, i) => nominalDelayMs(i + 1));
    expect(nominal.slice(0, 4)).toEqual([30_000, 90_000, 270_000, 810_000]);
    for (let i = 1; i < nominal.length; i++) expect(nominal[i]).toBeGreaterThanOrEqual(nominal[i - 1]);
    expect(Math.max(...nominal)).toBe(DEFAULT_RETRY_SCHEDULE.maxMs);
    expect(nominalDelayMs(1000)).toBe(DEFAULT_RETRY_SCHEDULE.maxMs);
  });

  it('jitters each delay between (1 - jitter) and 1 times the nominal delay', () => {
    const { jitter } = DEFAULT_RETRY_SCHEDULE;
    for (let n = 1; n < 10; n++) {
      expect(retryDelayMs(n, DEFAULT_RETRY_SCHEDULE, () => 0)).toBe(nominalDelayMs(n));
      expect(retryDelayMs(n, DEFAULT_RETRY_SCHEDULE, () => 0.999999)).toBeGreaterThanOrEqual(
        Math.floor(nominalDelayMs(n) * (1 - jitter)),
      );
    }
    const draws = new Set(Array.from({ length: 20 }, () => retryDelayMs(3)));
    expect(draws.size).toBeGreaterThan(1);
  });

  it('supports full jitter (jitter = 1)', () => {
    const full = { ...DEFAULT_RETRY_SCHEDULE, jitter: 1 };
    expect(retryDelayMs(2, full, () => 0.75)).toBe(22_500);
    expect(totalSpanMs(full)).toBe(0);
  });
});

describe('parseRetrySchedule', () => {
  it('reads a short schedule for tests', () => {
    const s = parseRetrySchedule('base_ms=50,factor=2,max_ms=200,attempts=4');
    expect(s).toEqual({ baseMs: 50, factor: 2, maxMs: 200, attempts: 4, jitter: DEFAULT_RETRY_SCHEDULE.jitter });
    expect([1, 2, 3, 4].map((n) => nominalDelayMs(n, s))).toEqual([50, 100, 200, 200]);
    expect(totalSpanMs({ ...s, jitter: 0 })).toBe(350);
  });

  it('keeps defaults for missing keys and tolerates spaces', () => {
    expect(parseRetrySchedule(' attempts = 3 , jitter=0 ')).toEqual({ ...DEFAULT_RETRY_SCHEDULE, attempts: 3, jitter: 0 });
    expect(parseRetrySchedule('')).toEqual(DEFAULT_RETRY_SCHEDULE);
    expect(parseRetrySchedule(undefined)).toEqual(DEFAULT_RETRY_SCHEDULE);
  });

  it.each([
    ['base_ms=fast', /base_ms must be a number/],
    ['speed=2', /unknown key "speed"/],
    ['base_ms', /key=value/],
    ['base_ms=0', /base_ms/],
    ['factor=0.5', /factor/],
    ['base_ms=500,max_ms=100', /max_ms/],
    ['attempts=0', /attempts/],
    ['attempts=2.5', /attempts/],
    ['jitter=2', /jitter/],
  ])('rejects %s', (value, message) => {
    expect(() => parseRetrySchedule(value)).toThrow(message);
  });
});
