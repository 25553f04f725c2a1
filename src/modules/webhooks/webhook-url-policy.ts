import dns from 'node:dns';
import net from 'node:net';
import { AppError } from '../../platform/app-error';

/**
 * Where outbound webhooks may go (CONTRACT §7: loopback/private refused unless WEBHOOK_ALLOW_PRIVATE).
 * Two checks, because a DNS answer can change between them (DNS rebinding):
 * - {@link assertDeliverableUrl} when a webhook is registered and before each attempt: URL shape, and every
 *   address the host resolves to (an IP literal never reaches a lookup function, so this is its only check);
 * - {@link blockPrivateLookup} passed to the HTTP client, so the address actually connected to is checked too.
 */

export type LookupAll = (
  hostname: string,
  options: { all: true; verbatim: boolean },
) => Promise<Array<{ address: string; family: number }>>;

export interface UrlPolicyOptions {
  /** WEBHOOK_ALLOW_PRIVATE: skip the address checks (and DNS) entirely. */
  allowPrivate: boolean;
  requireHttps: boolean;
  /** Injected in tests. @defaultValue `dns.promises.lookup` */
  lookup?: LookupAll;
}

// IPv4-mapped IPv6 (::ffff:a.b.c.d) is matched against the IPv4 rules by BlockList itself.
const BLOCKED = new net.BlockList();
for (const [net4, prefix] of [
  ['0.0.0.0', 8], // "this network"
  ['10.0.0.0', 8],
  ['100.64.0.0', 10], // CGNAT
  ['127.0.0.0', 8],
  ['169.254.0.0', 16], // link-local, cloud metadata endpoints
  ['172.16.0.0', 12],
  ['192.0.0.0', 24], // IETF protocol assignments
  ['192.168.0.0', 16],
  ['198.18.0.0', 15], // benchmarking
  ['224.0.0.0', 4], // multicast
  ['240.0.0.0', 4], // reserved, incl. 255.255.255.255
] as const) {
  BLOCKED.addSubnet(net4, prefix, 'ipv4');
}
for (const [net6, prefix] of [
  ['::', 96], // ::, ::1 and deprecated IPv4-compatible ::a.b.c.d
  ['fc00::', 7], // unique-local
  ['fe80::', 10], // link-local
  ['fec0::', 10], // deprecated site-local
  ['ff00::', 8], // multicast
] as const) {
  BLOCKED.addSubnet(net6, prefix, 'ipv6');
}

/** True for loopback, private, link-local, CGNAT, multicast and other non-public addresses. */
export function isBlockedAddress(address: string): boolean {
  const bare = address.replace(/^\[|\]$/g, '').replace(/%.*$/, ''); // brackets, IPv6 zone id
  const family = net.isIP(bare);
  if (family === 0) return true; // not an IP at all: refuse rather than guess
  return BLOCKED.check(bare, family === 4 ? 'ipv4' : 'ipv6');
}

function refuse(reason: string, message: string, extra: Record<string, unknown> = {}): AppError {
  return new AppError('invalid_webhook_url', message, { field: 'url', reason, ...extra });
}

/**
 * Resolves to the parsed URL, or throws AppError('invalid_webhook_url') with `details.reason` one of
 * `malformed`, `unsupported_scheme`, `https_required`, `credentials_in_url`, `unresolvable`, `private_address`.
 * `unresolvable` may be transient (DNS outage): a delivery worker should count it as a failed attempt
 * and retry, not drop the message.
 */
export async function assertDeliverableUrl(url: string, options: UrlPolicyOptions): Promise<URL> {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw refuse('malformed', 'The webhook URL is not a valid absolute URL.');
  }
  if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') {
    throw refuse('unsupported_scheme', 'The webhook URL must use http or https.');
  }
  if (options.requireHttps && parsed.protocol !== 'https:') {
    throw refuse('https_required', 'The webhook URL must use https.');
  }
  if (parsed.username !== '' || parsed.password !== '') {
    throw refuse('credentials_in_url', 'The webhook URL must not contain a username or password.');
  }
  if (options.allowPrivate) return parsed;

  // WHATWG URL already normalised odd IPv4 forms (2130706433, 0x7f.1) to dotted quads.
  const host = parsed.hostname.replace(/^\[|\]$/g, '');
  let addresses: string[];
  if (net.isIP(host) !== 0) {
    addresses = [host];
  } else {
    const lookup: LookupAll = options.lookup ?? ((h, o) => dns.promises.lookup(h, o));
    try {
      addresses = (await lookup(host, { all: true, verbatim: true })).map((a) => a.address);
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code ?? null;
      throw refuse('unresolvable', `The webhook URL's host ${host} could not be resolved.`, { dns_code: code });
    }
    if (addresses.length === 0) {
      throw refuse('unresolvable', `The webhook URL's host ${host} could not be resolved.`);
    }
  }
  // Every address: a client may connect to any of them.
  if (addresses.some(isBlockedAddress)) {
    throw refuse(
      'private_address',
      'The webhook URL points to a loopback, private or otherwise non-public address.',
    );
  }
  return parsed;
}

/** Error code set on the connection error when {@link blockPrivateLookup} refuses an address. */
export const BLOCKED_ADDRESS_CODE = 'ERR_WEBHOOK_ADDRESS_BLOCKED';

/**
 * A `lookup` for http.request / net.connect that fails the connection when the host resolves to a
 * blocked address, closing the gap between the policy check and the connect.
 */
export const blockPrivateLookup: net.LookupFunction = (hostname, options, callback) => {
  dns.lookup(hostname, { ...options, all: true }, (err, addresses) => {
    if (err) return callback(err, '', 0);
    const blocked = addresses.find((a) => isBlockedAddress(a.address));
    if (blocked || addresses.length === 0) {
      const refusal: NodeJS.ErrnoException = new Error(
        `Refusing to connect to ${hostname} (${blocked?.address ?? 'no address'}): not a public address.`,
      );
      refusal.code = BLOCKED_ADDRESS_CODE;
      return callback(refusal, '', 0);
    }
    // Node 20 asks for all addresses (autoSelectFamily); older callers want one.
    if (options.all) return callback(null, addresses);
    return callback(null, addresses[0].address, addresses[0].family);
  });
};
