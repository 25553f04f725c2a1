/**
 * The plans `GET /api/v1/public/tiers` lists (CONTRACT §10, §15): their names, prices and features are
 * product data, kept in one file, tiers.json beside this one, and edited there (README "Tiers"). The file
 * is checked when the process starts: each of starter, business and pro exactly once, in that order; a
 * price in minor units of an ISO 4217 currency, per month or year; features as short sentences. A file
 * that fails stops the start with a message naming the field.
 */
import currencyCodes from 'currency-codes';
import { compileSchema } from '../../platform/validation';
import shipped from './tiers.json';

export interface Tier {
  plan: 'starter' | 'business' | 'pro';
  name: string;
  price: { amount: number; currency: string; interval: 'month' | 'year' };
  features: string[];
}

export const TIER_PLANS = ['starter', 'business', 'pro'] as const;

/** One plan, as the file holds it and the route answers it (the OpenAPI document's schema too). */
export const TIER_SCHEMA = {
  type: 'object',
  required: ['plan', 'name', 'price', 'features'],
  additionalProperties: false,
  properties: {
    plan: { type: 'string', enum: TIER_PLANS },
    name: { type: 'string', minLength: 1, maxLength: 100 },
    price: {
      type: 'object', required: ['amount', 'currency', 'interval'], additionalProperties: false,
      properties: {
        amount: { type: 'integer', minimum: 0, description: 'Minor units of `currency` (4900 GBP = £49.00).' },
        currency: { type: 'string', pattern: '^[A-Z]{3}$', description: 'ISO 4217.' },
        interval: { type: 'string', enum: ['month', 'year'] },
      },
    },
    features: { type: 'array', items: { type: 'string', minLength: 1, maxLength: 200 } },
  },
} as const;

const validateTiers = compileSchema<Tier[]>({ type: 'array', items: TIER_SCHEMA });

/** The plans of a tiers file's contents, checked and frozen; an Error naming the field otherwise. */
export function loadTiers(contents: unknown, source = 'src/modules/guests/tiers.json'): readonly Tier[] {
  const fail = (what: string) => new Error(`${source}: ${what}`);
  if (!validateTiers(contents)) {
    const e = validateTiers.errors?.[0];
    const at = (e?.instancePath ?? '').split('/').filter(Boolean).map((p) => (/^\d+$/.test(p) ? `[${p}]` : `.${p}`)).join('');
    throw fail(`${at ? `${at.replace(/^\./, '')} ` : ''}${e?.message ?? 'is not a list of plans'}`);
  }
  const tiers = (contents as Tier[]).map((t) => ({ ...t, price: { ...t.price }, features: [...t.features] }));
  const plans = tiers.map((t) => t.plan);
  if (plans.join() !== TIER_PLANS.join()) throw fail(`must list the plans ${TIER_PLANS.join(', ')} once each, in that order (it lists ${plans.join(', ') || 'none'})`);
  tiers.forEach((t, i) => {
    if (!currencyCodes.code(t.price.currency)) throw fail(`[${i}].price.currency ${t.price.currency} is not an ISO 4217 currency`);
  });
  return Object.freeze(tiers.map((t) => Object.freeze(t)));
}

/** The shipped plans (tiers.json), checked at start. */
export const TIERS: readonly Tier[] = loadTiers(shipped);
