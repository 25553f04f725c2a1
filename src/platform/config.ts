import { isIP } from 'node:net';
import { availableParallelism } from 'node:os';
import { parseRetrySchedule } from './retry-schedule';

/**
 * The only reader of process.env. Builds a frozen, typed Config and stops the process with a
 * message naming the variable when a value is bad (CONTRACT §1).
 */
export type Role = 'all' | 'api' | 'worker';

export interface Config {
  readonly nodeEnv: string;
  /** @defaultValue mysql://root@127.0.0.1:3306/tablesync */
  readonly databaseUrl: string;
  /** @defaultValue redis://127.0.0.1:6379 */
  readonly redisUrl: string;
  /** Where Redis is: one server, or the seed nodes of a Redis Cluster (CONTRACT §14). */
  readonly redis: RedisTarget;
  /** Key prefix for BullMQ queues, locks, caches and rate limits; tests use one per run. @defaultValue tablesync */
  readonly redisPrefix: string;
  /** @defaultValue 3000 */
  readonly port: number;
  /** Address the HTTP server binds (CONTRACT §1); `127.0.0.1` keeps it on loopback. @defaultValue 0.0.0.0 */
  readonly host: string;
  readonly role: Role;
  /** Admin API is off while null. */
  readonly adminToken: string | null;
  /** 32-byte key for secrets at rest. */
  readonly encryptionKey: Buffer;
  readonly logLevel: string;
  readonly webhookAllowPrivate: boolean;
  /** Outbound webhook retry schedule, e.g. "base_ms=30000,factor=3,max_ms=28800000,attempts=10". */
  readonly webhookRetrySchedule: string | null;
  /** Inbound event processing attempts before an event is failed. @defaultValue 5 */
  readonly ingestAttempts: number;
  /**
   * Concurrency of each inbound-event worker process: events wait on the database and Redis, and the events
   * in flight together share a batch's round trips, so more in flight is more throughput. @defaultValue 64
   */
  readonly workerConcurrency: number;
  /**
   * Webhook deliveries in flight per worker process. They wait on receivers, not on the CPU, and each
   * holds at most one connection, so this is also the most connections one process opens to one receiver.
   * @defaultValue 100
   */
  readonly webhookConcurrency: number;
  /**
   * How often the worker role's scheduled job expires booking requests past their expires_at (CONTRACT
   * §11): a request expires at most this long after its time. @defaultValue 2000
   */
  readonly requestExpiryIntervalMs: number;
  /** The origin guests and venues reach, used in links (invites, manage links, emails). @defaultValue http://localhost:$PORT */
  readonly publicUrl: string;
  /**
   * Express's `trust proxy` (CONTRACT §1, §10): which hops' `X-Forwarded-For` is believed for the client IP
   * (the public API's per-IP limit). false = none (the socket's address); a hop count; or named ranges
   * (`loopback`, `linklocal`, `uniquelocal`) and addresses/CIDRs. @defaultValue false
   */
  readonly trustProxy: boolean | number | readonly string[];
  /** SMTP server for emails (CONTRACT §10.3), `smtp[s]://user:pass@host:port`; null: emails are kept, not sent. */
  readonly smtpUrl: string | null;
  /** The From of every email. @defaultValue `Tablesync <no-reply@<PUBLIC_URL host>>` */
  readonly mailFrom: string;
  /** Email retry schedule, in WEBHOOK_RETRY_SCHEDULE's format; null: the same defaults as webhooks. */
  readonly emailRetrySchedule: string | null;
  /** Requests per minute per client IP and public route (CONTRACT §10). @defaultValue 60 */
  readonly publicRateLimitPerMinute: number;
  /**
   * argon2id cost of staff passwords (src/modules/people/passwords.ts): memory in KiB and passes. The
   * defaults (32 MiB, 3 passes) cost 100–160 ms per hash on the 2-core development machine; tests set a cheap cost.
   * @defaultValue 32768 KiB, 3 passes
   */
  readonly passwordHashMemoryKib: number;
  readonly passwordHashIterations: number;
  /**
   * Time limit of one mapping evaluation (dry run, ingest edge, pipeline). A mapping outside the direct
   * reader's grammar runs in a thread that is terminated past this. @defaultValue 1000
   */
  readonly mappingTimeoutMs: number;
  /** Largest mapping output, as JSON text; a larger one fails as `mapping_failed`. @defaultValue 1048576 */
  readonly mappingMaxOutputBytes: number;
  /** Threads per process that evaluate mappings outside the direct reader's grammar. @defaultValue min(2, cores) */
  readonly mappingThreads: number;
  /** Heartbeat (a comment line) of every open live stream, so proxies keep it open. @defaultValue 15000 */
  readonly liveHeartbeatMs: number;
}

/**
 * REDIS_URL parsed: `redis[s]://[user:pass@]host:port[/db]` is one server, or with `REDIS_CLUSTER=true` one
 * seed node of a cluster; `redis[s]+cluster://[user:pass@]host:port,host:port` names several seed nodes.
 */
export interface RedisTarget {
  readonly cluster: boolean;
  /** One for a single server; a cluster's seed nodes (ioredis finds the rest). */
  readonly nodes: readonly { readonly host: string; readonly port: number }[];
  readonly username?: string;
  readonly password?: string;
  /** Single server only: a cluster has just database 0. */
  readonly db?: number;
  readonly tls: boolean;
}

export class ConfigError extends Error {
  constructor(readonly variable: string, reason: string) {
    super(`Invalid env var ${variable}: ${reason}`);
    this.name = 'ConfigError';
  }
}

type Env = Readonly<Record<string, string | undefined>>;

// A fixed development key so `npm start` works out of the box; production must set its own.
const DEV_ENCRYPTION_KEY = Buffer.alloc(32, 7);

function str(env: Env, name: string, fallback: string): string {
  const v = env[name];
  return v === undefined || v === '' ? fallback : v;
}

function int(env: Env, name: string, fallback: number, min: number, max: number): number {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  if (!/^\d+$/.test(raw)) throw new ConfigError(name, `must be an integer, got "${raw}"`);
  const n = Number(raw);
  if (n < min || n > max) throw new ConfigError(name, `must be between ${min} and ${max}, got ${n}`);
  return n;
}

function bool(env: Env, name: string, fallback: boolean): boolean {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  if (/^(1|true|yes|on)$/i.test(raw)) return true;
  if (/^(0|false|no|off)$/i.test(raw)) return false;
  throw new ConfigError(name, `must be true or false, got "${raw}"`);
}

function url(env: Env, name: string, fallback: string, protocols: string[]): string {
  const value = str(env, name, fallback);
  let parsed: URL;
  try {
    parsed = new URL(value);
  } catch {
    throw new ConfigError(name, `must be a URL like ${fallback}`);
  }
  if (!protocols.includes(parsed.protocol)) {
    throw new ConfigError(name, `must be a ${protocols.map((p) => p.replace(':', '://')).join(' or ')} URL`);
  }
  return value;
}

/** A bind address: an IPv4 or IPv6 address, or a host name (`localhost`). */
function host(env: Env): string {
  const value = str(env, 'HOST', '0.0.0.0');
  if (!/^(?:[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*|[0-9A-Fa-f:.]*:[0-9A-Fa-f:.]*)$/.test(value) || value.length > 253) {
    throw new ConfigError('HOST', `must be an IP address or host name to bind, like 0.0.0.0 or 127.0.0.1, got "${value}"`);
  }
  return value;
}

const REDIS_URL_EXAMPLE = 'redis://127.0.0.1:6379 or redis+cluster://10.0.0.1:6379,10.0.0.2:6379';

function redisTarget(env: Env): { url: string; target: RedisTarget } {
  const value = str(env, 'REDIS_URL', 'redis://127.0.0.1:6379');
  const m = /^(rediss?)(\+cluster)?:\/\/(?:([^@/]*)@)?([^/?#]+)(?:\/(\d*))?$/.exec(value);
  if (!m) throw new ConfigError('REDIS_URL', `must be a URL like ${REDIS_URL_EXAMPLE}`);
  const [, scheme, clusterScheme, auth, hostList, db] = m;
  const cluster = Boolean(clusterScheme) || bool(env, 'REDIS_CLUSTER', false);
  const hosts = hostList!.split(',');
  if (hosts.length > 1 && !clusterScheme) throw new ConfigError('REDIS_URL', 'names several hosts: use redis+cluster://host:port,host:port');
  const nodes = hosts.map((h) => {
    const hm = /^(\[[0-9a-fA-F:.]+\]|[^:[\]]+)(?::(\d{1,5}))?$/.exec(h);
    const port = hm?.[2] === undefined ? 6379 : Number(hm[2]);
    if (!hm || port < 1 || port > 65535) throw new ConfigError('REDIS_URL', `has a bad host "${h}"; expected ${REDIS_URL_EXAMPLE}`);
    return Object.freeze({ host: hm[1]!.replace(/^\[|\]$/g, ''), port });
  });
  if (cluster && db && db !== '0') throw new ConfigError('REDIS_URL', 'a Redis Cluster has only database 0');
  const [user, password] = auth === undefined ? [] : auth.split(/:(.*)/s, 2);
  const target: RedisTarget = {
    cluster,
    nodes: Object.freeze(nodes),
    ...(user ? { username: decodeURIComponent(user) } : {}),
    ...(password ? { password: decodeURIComponent(password) } : {}),
    ...(!cluster && db ? { db: Number(db) } : {}),
    tls: scheme === 'rediss',
  };
  return { url: value, target: Object.freeze(target) };
}

function encryptionKey(env: Env, nodeEnv: string): Buffer {
  const raw = env.ENCRYPTION_KEY;
  if (raw === undefined || raw === '') {
    if (nodeEnv === 'production') throw new ConfigError('ENCRYPTION_KEY', 'is required when NODE_ENV=production');
    return DEV_ENCRYPTION_KEY;
  }
  if (/^[0-9a-fA-F]{64}$/.test(raw)) return Buffer.from(raw, 'hex');
  const b64 = /^[A-Za-z0-9+/_-]+={0,2}$/.test(raw) ? Buffer.from(raw, 'base64') : null;
  if (b64 && b64.length === 32) return b64;
  throw new ConfigError('ENCRYPTION_KEY', 'must be 32 bytes as 64 hex digits or base64');
}

const TRUST_PROXY_NAMES = new Set(['loopback', 'linklocal', 'uniquelocal']);

/** TRUST_PROXY: off, `true` (every hop), a hop count, or a comma list of names and addresses/CIDRs (Express's values). */
function trustProxy(env: Env): boolean | number | readonly string[] {
  const raw = (env.TRUST_PROXY ?? '').trim();
  if (raw === '' || /^(false|off|no|0)$/i.test(raw)) return false;
  if (/^(true|on|yes)$/i.test(raw)) return true;
  if (/^\d+$/.test(raw)) {
    const hops = Number(raw);
    if (hops > 100) throw new ConfigError('TRUST_PROXY', `a hop count must be at most 100, got ${hops}`);
    return hops;
  }
  const entries = raw.split(',').map((e) => e.trim());
  for (const entry of entries) {
    if (TRUST_PROXY_NAMES.has(entry)) continue;
    const [address, bits, ...rest] = entry.split('/');
    const family = isIP(address ?? '');
    const maxBits = family === 6 ? 128 : 32;
    const badBits = bits !== undefined && (!/^\d{1,3}$/.test(bits) || Number(bits) > maxBits);
    if (!family || badBits || rest.length) {
      throw new ConfigError('TRUST_PROXY', `must be off, true, a hop count, or a comma list of loopback, linklocal, uniquelocal, IP addresses and CIDRs, got "${entry}"`);
    }
  }
  return Object.freeze(entries);
}

/** An RFC 5322 mailbox as MAIL_FROM takes it: `addr@host` or `Name <addr@host>`. */
function mailFrom(env: Env, publicUrl: string): string {
  const fallback = `Tablesync <no-reply@${new URL(publicUrl).hostname}>`;
  const value = str(env, 'MAIL_FROM', fallback).trim();
  if (!/^(?:[^<>\r\n]*<[^\s<>@]+@[^\s<>@]+>|[^\s<>@]+@[^\s<>@]+)$/.test(value)) {
    throw new ConfigError('MAIL_FROM', `must be an address like "The Anchor <bookings@example.com>" or bookings@example.com, got "${value}"`);
  }
  return value;
}

function retrySchedule(env: Env, name: string): string | null {
  const value = env[name] === undefined || env[name] === '' ? null : env[name]!;
  if (value !== null && !/^(\w+=[\d.]+)(,\w+=[\d.]+)*$/.test(value)) {
    throw new ConfigError(name, 'must look like base_ms=30000,factor=3,max_ms=28800000,attempts=10');
  }
  if (value !== null) {
    try {
      parseRetrySchedule(value);
    } catch (err) {
      throw new ConfigError(name, (err as Error).message);
    }
  }
  return value;
}

export function loadConfig(env: Env = process.env): Config {
  const nodeEnv = str(env, 'NODE_ENV', 'development');
  const role = str(env, 'ROLE', 'all');
  if (role !== 'all' && role !== 'api' && role !== 'worker') {
    throw new ConfigError('ROLE', `must be one of all, api, worker, got "${role}"`);
  }
  const logLevel = str(env, 'LOG_LEVEL', 'info');
  if (!['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'].includes(logLevel)) {
    throw new ConfigError('LOG_LEVEL', `must be one of fatal, error, warn, info, debug, trace, silent, got "${logLevel}"`);
  }
  const adminToken = env.ADMIN_TOKEN === undefined || env.ADMIN_TOKEN === '' ? null : env.ADMIN_TOKEN;
  if (adminToken !== null && adminToken.length < 8) {
    throw new ConfigError('ADMIN_TOKEN', 'must be at least 8 characters');
  }
  const redisPrefix = str(env, 'REDIS_PREFIX', 'tablesync');
  if (!/^[A-Za-z0-9_.-]+$/.test(redisPrefix)) throw new ConfigError('REDIS_PREFIX', 'may hold only letters, digits, _ . -');
  const retry = retrySchedule(env, 'WEBHOOK_RETRY_SCHEDULE');

  const port = int(env, 'PORT', 3000, 0, 65535);
  const publicUrl = url(env, 'PUBLIC_URL', `http://localhost:${port}`, ['http:', 'https:']).replace(/\/+$/, '');
  const redis = redisTarget(env);

  return Object.freeze({
    nodeEnv,
    databaseUrl: url(env, 'DATABASE_URL', 'mysql://root@127.0.0.1:3306/tablesync', ['mysql:', 'mariadb:']),
    redisUrl: redis.url,
    redis: redis.target,
    redisPrefix,
    port,
    host: host(env),
    role,
    adminToken,
    encryptionKey: encryptionKey(env, nodeEnv),
    logLevel,
    webhookAllowPrivate: bool(env, 'WEBHOOK_ALLOW_PRIVATE', false),
    webhookRetrySchedule: retry,
    ingestAttempts: int(env, 'INGEST_ATTEMPTS', 5, 1, 100),
    workerConcurrency: int(env, 'WORKER_CONCURRENCY', 64, 1, 1024),
    webhookConcurrency: int(env, 'WEBHOOK_CONCURRENCY', 100, 1, 1000),
    requestExpiryIntervalMs: int(env, 'REQUEST_EXPIRY_INTERVAL_MS', 2000, 200, 3_600_000),
    publicUrl,
    trustProxy: trustProxy(env),
    smtpUrl: env.SMTP_URL === undefined || env.SMTP_URL === '' ? null : url(env, 'SMTP_URL', 'smtp://127.0.0.1:25', ['smtp:', 'smtps:']),
    mailFrom: mailFrom(env, publicUrl),
    emailRetrySchedule: retrySchedule(env, 'EMAIL_RETRY_SCHEDULE'),
    publicRateLimitPerMinute: int(env, 'PUBLIC_RATE_LIMIT_PER_MINUTE', 60, 1, 1_000_000),
    passwordHashMemoryKib: int(env, 'PASSWORD_HASH_MEMORY_KIB', 32768, 64, 4_194_304),
    passwordHashIterations: int(env, 'PASSWORD_HASH_ITERATIONS', 6, 1, 100),
    mappingTimeoutMs: int(env, 'MAPPING_TIMEOUT_MS', 1000, 10, 60_000),
    mappingMaxOutputBytes: int(env, 'MAPPING_MAX_OUTPUT_BYTES', 1024 * 1024, 1024, 64 * 1024 * 1024),
    mappingThreads: int(env, 'MAPPING_THREADS', Math.max(1, Math.min(2, availableParallelism())), 1, 64),
    liveHeartbeatMs: int(env, 'LIVE_HEARTBEAT_MS', 15_000, 100, 300_000),
  });
}
