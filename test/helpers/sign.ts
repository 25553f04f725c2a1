import { createHmac, randomBytes } from 'node:crypto';
import type { PartnerAdapter, SignatureSigner, SignInput } from '../../adapters/types';
import {
  DEFAULT_SIGNATURE_HEADERS,
  isStandardScheme,
  standardWebhooksHeaderNames,
  standardWebhooksKeys,
  type StandardScheme,
} from '../../src/modules/partners/edge/signature-schemes';

/**
 * Builds the headers a POS would send for each scheme: what tests, the demo and fixture replays
 * use to produce real signatures (the Nango getSignedHeaders idea). Header names are lower-case.
 */

function hmac(key: string | Buffer, ...parts: (string | Buffer)[]): Buffer {
  const mac = createHmac('sha256', key);
  for (const part of parts) mac.update(part);
  return mac.digest();
}

const header = (input: SignInput, scheme: StandardScheme): string =>
  (input.header || DEFAULT_SIGNATURE_HEADERS[scheme]).toLowerCase();

export const STANDARD_SIGNERS: Readonly<Record<StandardScheme, SignatureSigner>> = Object.freeze({
  'hmac-sha256-hex': (input) => ({
    [header(input, 'hmac-sha256-hex')]: hmac(input.secret, input.rawBody).toString('hex'),
  }),
  'hmac-sha256-base64': (input) => ({
    [header(input, 'hmac-sha256-base64')]: hmac(input.secret, input.rawBody).toString('base64'),
  }),
  'standard-webhooks': (input) => {
    const names = standardWebhooksHeaderNames(input.header);
    const id = input.id ?? `msg_${randomBytes(12).toString('hex')}`;
    const timestamp = String(Math.floor((input.now ?? new Date()).getTime() / 1000));
    // A whsec_ secret is decoded; a bare one signs with its UTF-8 bytes (the verifier accepts both).
    const [key] = standardWebhooksKeys(input.secret);
    if (!key) throw new Error('standard-webhooks needs a secret');
    const signature = hmac(key, `${id}.${timestamp}.`, input.rawBody).toString('base64');
    return { [names.id]: id, [names.timestamp]: timestamp, [names.signature]: `v1,${signature}` };
  },
  token: (input) => {
    const name = header(input, 'token');
    return { [name]: name === 'authorization' ? `Bearer ${input.secret}` : input.secret };
  },
  basic: (input) => ({
    [header(input, 'basic')]: `Basic ${Buffer.from(input.secret, 'utf8').toString('base64')}`,
  }),
});

/**
 * Headers that make `rawBody` verify under `scheme`. Adapter schemes (e.g. `square-hmac`) are
 * signed by the adapter's own signer. Throws on an unknown scheme.
 */
export function signFor(scheme: string, input: SignInput, adapter?: PartnerAdapter): Record<string, string> {
  if (isStandardScheme(scheme)) return STANDARD_SIGNERS[scheme](input);
  const own = adapter?.signatureSigners;
  if (own && Object.prototype.hasOwnProperty.call(own, scheme)) return own[scheme](input);
  throw new Error(`No signer for signature scheme "${scheme}"`);
}
