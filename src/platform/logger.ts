import pino, { type DestinationStream, type Logger } from 'pino';

export type { Logger };

/** Paths never written to logs: signatures, secrets, API keys, card data. */
export const REDACT_PATHS = [
  'req.headers.authorization',
  'req.headers["x-signature"]',
  'req.headers["x-square-hmacsha256-signature"]',
  'req.headers["webhook-signature"]',
  'req.headers["x-tablesync-signature"]',
  'req.headers.cookie',
  '*.secret',
  '*.key',
  '*.api_key',
  '*.password',
  '*.card_number',
  '*.pan',
];

/** Bounds of a logged value: a log line stays a few KB whatever an error carries (SQL parameters, payloads). */
export const LOG_CAPS = { string: 1000, stack: 4000, items: 20, keys: 50, depth: 6 } as const;

/**
 * A copy of `value` safe to log: long strings cut (with the number of characters left out), long arrays
 * and objects cut (with the number of items left out), nesting bounded, Buffers described, Errors turned
 * into plain objects (pino's error serializer) and capped in turn. Cycles end at the depth bound.
 */
const cut = (s: string, max: number): string => (s.length > max ? `${s.slice(0, max)}…[+${s.length - max} chars]` : s);

export function capLogValue(value: unknown, depth = 0): unknown {
  if (typeof value === 'string') return cut(value, LOG_CAPS.string);
  if (value === null || typeof value !== 'object') return value;
  if (Buffer.isBuffer(value)) return `[Buffer ${value.length} bytes]`;
  if (value instanceof Date) return value;
  if (depth >= LOG_CAPS.depth) return '[nested too deep]';
  if (value instanceof Error) return capLogValue({ ...pino.stdSerializers.err(value) }, depth);
  if (Array.isArray(value)) {
    const kept = value.slice(0, LOG_CAPS.items).map((v) => capLogValue(v, depth + 1));
    if (value.length > LOG_CAPS.items) kept.push(`…[+${value.length - LOG_CAPS.items} items]`);
    return kept;
  }
  const out: Record<string, unknown> = {};
  const keys = Object.keys(value);
  for (const key of keys.slice(0, LOG_CAPS.keys)) {
    const v = (value as Record<string, unknown>)[key];
    // A stack trace is worth more room than a value.
    out[key] = key === 'stack' && typeof v === 'string' ? cut(v, LOG_CAPS.stack) : capLogValue(v, depth + 1);
  }
  if (keys.length > LOG_CAPS.keys) out['…'] = `[+${keys.length - LOG_CAPS.keys} keys]`;
  return out;
}

/** Top-level fields: Errors are left to the err serializers (pino's, then capped); everything else capped here. */
function capLogFields(fields: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(fields)) out[key] = value instanceof Error ? value : capLogValue(value, 1);
  return out;
}

const capErr = (err: unknown): unknown => capLogValue(err instanceof Error ? { ...pino.stdSerializers.err(err) } : err);

export function createLogger(level: string, destination?: DestinationStream): Logger {
  const options: pino.LoggerOptions = {
    level,
    base: { service: 'tablesync' },
    redact: { paths: REDACT_PATHS, censor: '[redacted]' },
    timestamp: pino.stdTimeFunctions.isoTime,
    formatters: { log: capLogFields },
    serializers: { err: capErr, error: capErr },
  };
  return destination ? pino(options, destination) : pino(options);
}

/**
 * Logging of one dependency's outage (Redis, the database), shared by everything in the process that meets
 * it: the first error is logged at once; while the outage lasts, one line every `everyMs` at most, with the
 * number of errors left out since the last line; `up()` logs one "reachable again" line. An outage nobody
 * has reported for `everyMs` is taken as over, so the next error is logged at once again.
 */
export class OutageLog {
  private since: number | null = null;
  private lastLine = 0;
  private lastSeen = 0;
  private suppressed = 0;

  constructor(
    readonly dependency: string,
    private readonly options: { everyMs?: number; now?: () => number } = {},
  ) {}

  private get everyMs(): number {
    return this.options.everyMs ?? 30_000;
  }

  private now(): number {
    return this.options.now ? this.options.now() : Date.now();
  }

  get down(): boolean {
    return this.since !== null;
  }

  /** Reports an error of the outage; returns whether a line was written. */
  report(logger: Logger, err: unknown, fields: Record<string, unknown> = {}): boolean {
    const now = this.now();
    if (this.since !== null && now - this.lastSeen > this.everyMs) this.since = null;
    this.lastSeen = now;
    const message = (err as Error | null)?.message ?? String(err);
    if (this.since === null) {
      this.since = now;
      this.lastLine = now;
      this.suppressed = 0;
      logger.error({ dependency: this.dependency, err: message, ...fields }, `${this.dependency} unavailable`);
      return true;
    }
    if (now - this.lastLine < this.everyMs) {
      this.suppressed++;
      return false;
    }
    logger.error(
      { dependency: this.dependency, err: message, down_for_ms: now - this.since, suppressed: this.suppressed, ...fields },
      `${this.dependency} still unavailable`,
    );
    this.lastLine = now;
    this.suppressed = 0;
    return true;
  }

  /** The dependency answers again: one line if it was down. */
  recovered(logger: Logger, fields: Record<string, unknown> = {}): boolean {
    if (this.since === null) return false;
    const now = this.now();
    logger.info(
      { dependency: this.dependency, down_for_ms: now - this.since, suppressed: this.suppressed, ...fields },
      `${this.dependency} reachable again`,
    );
    this.since = null;
    this.suppressed = 0;
    return true;
  }
}

const outages = new Map<string, OutageLog>();

/** The process's outage log of a dependency ('redis', 'database'). */
export function outageLog(dependency: 'redis' | 'database'): OutageLog {
  let log = outages.get(dependency);
  if (!log) outages.set(dependency, (log = new OutageLog(dependency)));
  return log;
}
