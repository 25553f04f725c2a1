import { ApiKey } from './api-key.entity';
import { Area } from './area.entity';
import { Booking } from './booking.entity';
import { Customer } from './customer.entity';
import { Email } from './email.entity';
import { EmailAttempt } from './email-attempt.entity';
import { Enquiry } from './enquiry.entity';
import { IdempotencyRecord } from './idempotency-record.entity';
import { InboundEvent } from './inbound-event.entity';
import { MappingVersion } from './mapping-version.entity';
import { OutboxMessage } from './outbox-message.entity';
import { Partner } from './partner.entity';
import { PartnerLocation } from './partner-location.entity';
import { Sale } from './sale.entity';
import { SaleItem } from './sale-item.entity';
import { Service } from './service.entity';
import { Venue } from './venue.entity';
import { VenueEvent } from './venue-event.entity';
import { VenueTable } from './venue-table.entity';
import { Webhook } from './webhook.entity';
import { WebhookDelivery } from './webhook-delivery.entity';
import { WebhookDeliveryAttempt } from './webhook-delivery-attempt.entity';

export {
  ApiKey, Area, Booking, Customer, Email, EmailAttempt, Enquiry, IdempotencyRecord, InboundEvent, MappingVersion, OutboxMessage, Partner,
  PartnerLocation, Sale, SaleItem, Service, Venue, VenueEvent, VenueTable, Webhook, WebhookDelivery,
  WebhookDeliveryAttempt,
};
export type { BookingStatus } from '../../../modules/diary/booking-statuses';
export type { SaleStatus, SaleMatch } from './sale.entity';
export type { InboundEventStatus } from '../../../modules/partners/pipeline/event-statuses';
export type { AckMode, ConflictMode } from './partner.entity';
export type { VenuePlan } from './venue.entity';
export type { DeliveryStatus } from './webhook-delivery.entity';

/** Explicit entity list (no globs): what the DataSource knows. */
export const ALL_ENTITIES = [
  ApiKey, Area, Booking, Customer, Email, EmailAttempt, Enquiry, IdempotencyRecord, InboundEvent, MappingVersion, OutboxMessage, Partner,
  PartnerLocation, Sale, SaleItem, Service, Venue, VenueEvent, VenueTable, Webhook, WebhookDelivery,
  WebhookDeliveryAttempt,
];
