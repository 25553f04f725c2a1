import pino, { type Logger } from 'pino';

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

export function createLogger(level: string): Logger {
  return pino({
    level,
    base: { service: 'tablesync' },
    redact: { paths: REDACT_PATHS, censor: '[redacted]' },
    timestamp: pino.stdTimeFunctions.isoTime,
  });
}
