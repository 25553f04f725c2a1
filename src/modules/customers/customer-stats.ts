import { In, type EntityManager } from 'typeorm';
import { Customer } from '../../platform/db/entities';
import { presentCustomer, type CustomerView } from './customer.view';

/**
 * A visit is a booking the guest actually came to: status seated or completed (pending/confirmed are still
 * to come; cancelled and no_show never happened). Spend is the sum of the sales matched to the customer's
 * bookings that are not void or refunded, in the venue's currency only (no sum mixes currencies), the same
 * rule as a booking's spend.
 */
export const VISIT_STATUSES = ['seated', 'completed'] as const;
const NOT_SPENT = ['void', 'refunded'];

export interface CustomerStats {
  visits: number;
  spendTotal: number;
}

/** Visits and spend of several customers in two grouped queries. */
export async function customerStats(em: EntityManager, customerIds: string[], currency: string): Promise<Map<string, CustomerStats>> {
  const stats = new Map<string, CustomerStats>(customerIds.map((id) => [id, { visits: 0, spendTotal: 0 }]));
  if (!customerIds.length) return stats;
  const visits = (await em.query(
    `SELECT customer_id, COUNT(*) AS visits FROM bookings
      WHERE customer_id IN (?) AND status IN (?) GROUP BY customer_id`,
    [customerIds, VISIT_STATUSES],
  )) as { customer_id: string; visits: string | number }[];
  const spend = (await em.query(
    `SELECT b.customer_id, SUM(s.total) AS total FROM sales s JOIN bookings b ON b.id = s.booking_id
      WHERE b.customer_id IN (?) AND s.status NOT IN (?) AND s.currency = ? GROUP BY b.customer_id`,
    [customerIds, NOT_SPENT, currency],
  )) as { customer_id: string; total: string | number }[];
  for (const r of visits) stats.get(r.customer_id)!.visits = Number(r.visits);
  for (const r of spend) stats.get(r.customer_id)!.spendTotal = Number(r.total);
  return stats;
}

/** Customers as the API shows them (CONTRACT §2), with visits and spend. */
export async function presentCustomers(em: EntityManager, customers: Customer[], currency: string): Promise<CustomerView[]> {
  const stats = await customerStats(em, customers.map((c) => c.id), currency);
  return customers.map((c) => presentCustomer(c, { ...stats.get(c.id)!, currency }));
}

export async function findCustomer(em: EntityManager, venueId: string, id: string): Promise<Customer | null> {
  return em.findOne(Customer, { where: { venueId, id } });
}

/** Several customers of one venue by id (for presenting bookings). */
export async function findCustomers(em: EntityManager, ids: string[]): Promise<Customer[]> {
  return ids.length ? em.find(Customer, { where: { id: In(ids) } }) : [];
}
