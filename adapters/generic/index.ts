import { parseJsonBody, type PartnerAdapter } from '../types';

/** Any POS that posts JSON: standard signature schemes, lossless JSON, the mapping does the rest. */
export const generic = {
  name: 'generic',
  parse: (rawBody: Buffer) => parseJsonBody(rawBody),
} satisfies PartnerAdapter;
