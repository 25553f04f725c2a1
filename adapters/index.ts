import { clover } from './clover';
import { demoPos } from './demo-pos';
import { generic } from './generic';
import { lightspeed } from './lightspeed';
import { loyverse } from './loyverse';
import { revo } from './revo';
import { square } from './square';
import { toast } from './toast';
import { zettle } from './zettle';
import type { PartnerAdapter } from './types';

/**
 * The adapter registry; partner rows name a key. Adding an adapter is a new folder plus one
 * line here. Keys must equal each adapter's `name`.
 */
export const adapters = {
  generic,
  square,
  lightspeed,
  'demo-pos': demoPos,
  toast,
  zettle,
  clover,
  revo,
  loyverse,
} satisfies Record<string, PartnerAdapter>;

export type AdapterName = keyof typeof adapters;

export function isAdapterName(name: string): name is AdapterName {
  return Object.prototype.hasOwnProperty.call(adapters, name);
}

/** The adapter registered under `name`, or undefined (an unknown adapter disables the partner). */
export function getAdapter(name: string): PartnerAdapter | undefined {
  return isAdapterName(name) ? adapters[name] : undefined;
}

export type { PartnerAdapter } from './types';
