import { parseJsonBody, type PartnerAdapter } from '../types';

/**
 * The demo POS used by `npm run demo`: flat JSON already in minor units, signed with
 * hmac-sha256-hex in `X-Signature`. Event types `sale.updated` and `table.closed`.
 */
export const demoPos = {
  name: 'demo-pos',
  parse: (rawBody: Buffer) => parseJsonBody(rawBody),
} satisfies PartnerAdapter;
