import type { EntityManager, SelectQueryBuilder } from 'typeorm';
import { Brackets } from 'typeorm';
import { Customer } from '../../platform/db/entities';
import { phoneSearchPrefixes } from './upsert-customer';

const escapeLike = (s: string): string => s.replace(/[\\%_]/g, '\\$&');

/**
 * The venue's customers, or those matching `q` by prefix: of any word of the name ("lov" finds
 * "Ada Lovelace"), of the email, or of the phone typed in any format (national with the venue's country,
 * +44…, 0044…). Case-insensitive (the column collation). The caller orders and pages.
 */
export function customerSearchQuery(em: EntityManager, venueId: string, q: string | undefined, country: string | null): SelectQueryBuilder<Customer> {
  const qb = em.createQueryBuilder(Customer, 'c').where('c.venue_id = :venueId', { venueId });
  const text = q?.trim();
  if (!text) return qb;
  const prefix = `${escapeLike(text)}%`;
  const phones = phoneSearchPrefixes(text, country);
  return qb.andWhere(
    new Brackets((w) => {
      w.where('c.name LIKE :prefix', { prefix })
        .orWhere('c.name LIKE :wordPrefix', { wordPrefix: `% ${prefix}` })
        .orWhere('c.email_normalized LIKE :emailPrefix', { emailPrefix: prefix.toLowerCase() });
      phones.forEach((p, i) => w.orWhere(`c.phone LIKE :phone${i}`, { [`phone${i}`]: `${escapeLike(p)}%` }));
    }),
  );
}
