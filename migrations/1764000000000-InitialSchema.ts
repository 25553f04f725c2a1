import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The whole domain in one step, so later features add behaviour, not tables.
 * Ids are prefixed opaque strings (varchar 40). Instants are DATETIME(3) in UTC; booking `date`/`time`
 * are the venue-local wall clock. Money is BIGINT minor units.
 */
export class InitialSchema1764000000000 implements MigrationInterface {
  name = 'InitialSchema1764000000000';

  async up(q: QueryRunner): Promise<void> {
    const opts = 'ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci';
    await q.query(`CREATE TABLE venues (
      id VARCHAR(40) NOT NULL PRIMARY KEY,
      name VARCHAR(200) NOT NULL,
      slug VARCHAR(100) NOT NULL,
      timezone VARCHAR(64) NOT NULL,
      currency CHAR(3) NOT NULL,
      country CHAR(2) NULL,
      plan VARCHAR(16) NOT NULL DEFAULT 'business',
      created_at DATETIME(3) NOT NULL,
      updated_at DATETIME(3) NOT NULL,
      UNIQUE KEY uq_venues_slug (slug)
    ) ${opts}`);
    await q.query(`CREATE TABLE areas (
      id VARCHAR(40) NOT NULL PRIMARY KEY,
      venue_id VARCHAR(40) NOT NULL,
      name VARCHAR(200) NOT NULL,
      position INT NOT NULL DEFAULT 0,
      KEY ix_areas_venue (venue_id),
      CONSTRAINT fk_areas_venue FOREIGN KEY (venue_id) REFERENCES venues(id) ON DELETE CASCADE
    ) ${opts}`);
    await q.query(`CREATE TABLE venue_tables (
      id VARCHAR(40) NOT NULL PRIMARY KEY,
      venue_id VARCHAR(40) NOT NULL,
      area_id VARCHAR(40) NOT NULL,
      number VARCHAR(32) NOT NULL,
      min_covers INT NOT NULL,
      max_covers INT NOT NULL,
      UNIQUE KEY uq_tables_venue_number (venue_id, number),
      KEY ix_tables_area (area_id),
      CONSTRAINT fk_tables_venue FOREIGN KEY (venue_id) REFERENCES venues(id) ON DELETE CASCADE,
      CONSTRAINT fk_tables_area FOREIGN KEY (area_id) REFERENCES areas(id) ON DELETE CASCADE
    ) ${opts}`);
    await q.query(`CREATE TABLE services (
      id VARCHAR(40) NOT NULL PRIMARY KEY,
      venue_id VARCHAR(40) NOT NULL,
      name VARCHAR(200) NOT NULL,
      days JSON NOT NULL,
      start_time CHAR(5) NOT NULL,
      end_time CHAR(5) NOT NULL,
      slot_interval_minutes INT NOT NULL,
      duration_minutes INT NOT NULL,
      max_covers_per_slot INT NULL,
      KEY ix_services_venue (venue_id),
      CONSTRAINT fk_services_venue FOREIGN KEY (venue_id) REFERENCES venues(id) ON DELETE CASCADE
    ) ${opts}`);
    await q.query(`CREATE TABLE venue_events (
      id VARCHAR(40) NOT NULL PRIMARY KEY,
      venue_id VARCHAR(40) NOT NULL,
      name VARCHAR(200) NOT NULL,
      date DATE NOT NULL,
      start_time CHAR(5) NOT NULL,
      end_time CHAR(5) NOT NULL,
      capacity INT NOT NULL,
      KEY ix_events_venue_date (venue_id, date),
      CONSTRAINT fk_events_venue FOREIGN KEY (venue_id) REFERENCES venues(id) ON DELETE CASCADE
    ) ${opts}`);
    await q.query(`CREATE TABLE customers (
      id VARCHAR(40) NOT NULL PRIMARY KEY,
      venue_id VARCHAR(40) NOT NULL,
      name VARCHAR(200) NOT NULL,
      email VARCHAR(254) NULL,
      email_normalized VARCHAR(254) NULL,
      phone VARCHAR(32) NULL,
      notes TEXT NULL,
      version INT NOT NULL DEFAULT 1,
      created_at DATETIME(3) NOT NULL,
      updated_at DATETIME(3) NOT NULL,
      UNIQUE KEY uq_customers_venue_email (venue_id, email_normalized),
      UNIQUE KEY uq_customers_venue_phone (venue_id, phone),
      KEY ix_customers_venue_name (venue_id, name),
      CONSTRAINT fk_customers_venue FOREIGN KEY (venue_id) REFERENCES venues(id) ON DELETE CASCADE
    ) ${opts}`);
    await q.query(`CREATE TABLE bookings (
      id VARCHAR(40) NOT NULL PRIMARY KEY,
      venue_id VARCHAR(40) NOT NULL,
      reference VARCHAR(16) NOT NULL,
      status VARCHAR(16) NOT NULL,
      date DATE NOT NULL,
      time CHAR(5) NOT NULL,
      start_at DATETIME(3) NOT NULL,
      end_at DATETIME(3) NOT NULL,
      party_size INT NOT NULL,
      table_id VARCHAR(40) NULL,
      service_id VARCHAR(40) NULL,
      event_id VARCHAR(40) NULL,
      customer_id VARCHAR(40) NULL,
      notes TEXT NULL,
      source VARCHAR(32) NOT NULL DEFAULT 'api',
      version INT NOT NULL DEFAULT 1,
      created_at DATETIME(3) NOT NULL,
      updated_at DATETIME(3) NOT NULL,
      UNIQUE KEY uq_bookings_reference (reference),
      KEY ix_bookings_venue_date (venue_id, date, time),
      KEY ix_bookings_venue_table_start (venue_id, table_id, start_at),
      KEY ix_bookings_customer (customer_id),
      KEY ix_bookings_event (event_id),
      CONSTRAINT fk_bookings_venue FOREIGN KEY (venue_id) REFERENCES venues(id) ON DELETE CASCADE
    ) ${opts}`);
    await q.query(`CREATE TABLE partners (
      id VARCHAR(40) NOT NULL PRIMARY KEY,
      name VARCHAR(64) NOT NULL,
      adapter VARCHAR(64) NOT NULL DEFAULT 'generic',
      signature_scheme VARCHAR(32) NOT NULL,
      signature_header VARCHAR(128) NULL,
      secret_encrypted TEXT NOT NULL,
      ack_mode VARCHAR(16) NOT NULL DEFAULT 'queued',
      conflict_mode VARCHAR(16) NOT NULL DEFAULT 'reject',
      enabled TINYINT(1) NOT NULL DEFAULT 1,
      created_at DATETIME(3) NOT NULL,
      updated_at DATETIME(3) NOT NULL,
      UNIQUE KEY uq_partners_name (name)
    ) ${opts}`);
    await q.query(`CREATE TABLE partner_locations (
      id VARCHAR(40) NOT NULL PRIMARY KEY,
      partner_id VARCHAR(40) NOT NULL,
      location_id VARCHAR(128) NOT NULL,
      venue_id VARCHAR(40) NOT NULL,
      enabled TINYINT(1) NOT NULL DEFAULT 1,
      created_at DATETIME(3) NOT NULL,
      updated_at DATETIME(3) NOT NULL,
      UNIQUE KEY uq_locations_partner_location (partner_id, location_id),
      KEY ix_locations_venue (venue_id),
      CONSTRAINT fk_locations_partner FOREIGN KEY (partner_id) REFERENCES partners(id) ON DELETE CASCADE,
      CONSTRAINT fk_locations_venue FOREIGN KEY (venue_id) REFERENCES venues(id) ON DELETE CASCADE
    ) ${opts}`);
    await q.query(`CREATE TABLE mapping_versions (
      id VARCHAR(40) NOT NULL PRIMARY KEY,
      partner_id VARCHAR(40) NOT NULL,
      event_type VARCHAR(128) NOT NULL,
      version INT NOT NULL,
      expression MEDIUMTEXT NOT NULL,
      source VARCHAR(16) NOT NULL DEFAULT 'api',
      created_at DATETIME(3) NOT NULL,
      UNIQUE KEY uq_mappings_partner_type_version (partner_id, event_type, version),
      CONSTRAINT fk_mappings_partner FOREIGN KEY (partner_id) REFERENCES partners(id) ON DELETE CASCADE
    ) ${opts}`);
    await q.query(`CREATE TABLE sales (
      id VARCHAR(40) NOT NULL PRIMARY KEY,
      partner VARCHAR(64) NOT NULL,
      sale_id VARCHAR(128) NOT NULL,
      venue_id VARCHAR(40) NOT NULL,
      location_id VARCHAR(128) NOT NULL,
      booking_id VARCHAR(40) NULL,
      match_method VARCHAR(16) NULL,
      status VARCHAR(16) NOT NULL,
      total BIGINT NOT NULL,
      subtotal BIGINT NULL,
      tax BIGINT NULL,
      tip BIGINT NULL,
      discount BIGINT NULL,
      currency CHAR(3) NOT NULL,
      table_number VARCHAR(32) NULL,
      covers INT NULL,
      opened_at DATETIME(3) NULL,
      closed_at DATETIME(3) NULL,
      received_at DATETIME(3) NOT NULL,
      match_at DATETIME(3) NOT NULL,
      source_version VARCHAR(64) NULL,
      payments JSON NULL,
      version INT NOT NULL DEFAULT 1,
      created_at DATETIME(3) NOT NULL,
      updated_at DATETIME(3) NOT NULL,
      UNIQUE KEY uq_sales_partner_sale (partner, sale_id),
      KEY ix_sales_venue_table_time (venue_id, table_number, match_at),
      KEY ix_sales_venue_time (venue_id, match_at, id),
      KEY ix_sales_venue_booking (venue_id, booking_id),
      KEY ix_sales_booking (booking_id),
      CONSTRAINT fk_sales_venue FOREIGN KEY (venue_id) REFERENCES venues(id) ON DELETE CASCADE
    ) ${opts}`);
    await q.query(`CREATE TABLE sale_items (
      id VARCHAR(40) NOT NULL PRIMARY KEY,
      sale_row_id VARCHAR(40) NOT NULL,
      position INT NOT NULL,
      name VARCHAR(255) NOT NULL,
      quantity DECIMAL(12,3) NOT NULL,
      unit_price BIGINT NULL,
      total BIGINT NOT NULL,
      sku VARCHAR(128) NULL,
      category VARCHAR(128) NULL,
      KEY ix_sale_items_sale (sale_row_id, position),
      CONSTRAINT fk_sale_items_sale FOREIGN KEY (sale_row_id) REFERENCES sales(id) ON DELETE CASCADE
    ) ${opts}`);
    await q.query(`CREATE TABLE inbound_events (
      id VARCHAR(40) NOT NULL PRIMARY KEY,
      partner VARCHAR(64) NOT NULL,
      event_type VARCHAR(128) NOT NULL,
      raw_payload MEDIUMTEXT NOT NULL,
      status VARCHAR(16) NOT NULL,
      reason TEXT NULL,
      sale_id VARCHAR(128) NULL,
      attempts INT NOT NULL DEFAULT 0,
      mapping_version INT NULL,
      output JSON NULL,
      errors JSON NULL,
      received_at DATETIME(3) NOT NULL,
      processed_at DATETIME(3) NULL,
      updated_at DATETIME(3) NOT NULL,
      KEY ix_inbound_partner_status_time (partner, status, received_at),
      KEY ix_inbound_partner_time (partner, received_at),
      KEY ix_inbound_partner_sale (partner, sale_id)
    ) ${opts}`);
    await q.query(`CREATE TABLE api_keys (
      id VARCHAR(40) NOT NULL PRIMARY KEY,
      venue_id VARCHAR(40) NOT NULL,
      name VARCHAR(200) NOT NULL,
      key_hash CHAR(64) NOT NULL,
      prefix VARCHAR(24) NOT NULL,
      scopes JSON NOT NULL,
      rate_limit_per_minute INT NOT NULL DEFAULT 60,
      revoked_at DATETIME(3) NULL,
      last_used_at DATETIME(3) NULL,
      created_at DATETIME(3) NOT NULL,
      UNIQUE KEY uq_api_keys_hash (key_hash),
      KEY ix_api_keys_venue (venue_id),
      CONSTRAINT fk_api_keys_venue FOREIGN KEY (venue_id) REFERENCES venues(id) ON DELETE CASCADE
    ) ${opts}`);
    await q.query(`CREATE TABLE webhooks (
      id VARCHAR(40) NOT NULL PRIMARY KEY,
      venue_id VARCHAR(40) NOT NULL,
      url VARCHAR(2048) NOT NULL,
      events JSON NOT NULL,
      secret_encrypted TEXT NOT NULL,
      enabled TINYINT(1) NOT NULL DEFAULT 1,
      disabled_reason VARCHAR(500) NULL,
      failing_since DATETIME(3) NULL,
      deleted_at DATETIME(3) NULL,
      created_at DATETIME(3) NOT NULL,
      updated_at DATETIME(3) NOT NULL,
      KEY ix_webhooks_venue (venue_id),
      CONSTRAINT fk_webhooks_venue FOREIGN KEY (venue_id) REFERENCES venues(id) ON DELETE CASCADE
    ) ${opts}`);
    await q.query(`CREATE TABLE outbox (
      id BIGINT NOT NULL AUTO_INCREMENT PRIMARY KEY,
      message_id VARCHAR(40) NOT NULL,
      venue_id VARCHAR(40) NOT NULL,
      event VARCHAR(64) NOT NULL,
      resource_id VARCHAR(40) NOT NULL,
      resource_version INT NOT NULL DEFAULT 1,
      payload MEDIUMTEXT NOT NULL,
      created_at DATETIME(3) NOT NULL,
      relayed_at DATETIME(3) NULL,
      UNIQUE KEY uq_outbox_message (message_id),
      KEY ix_outbox_pending (relayed_at, id)
    ) ${opts}`);
    await q.query(`CREATE TABLE webhook_deliveries (
      id VARCHAR(40) NOT NULL PRIMARY KEY,
      webhook_id VARCHAR(40) NOT NULL,
      message_id VARCHAR(40) NOT NULL,
      event VARCHAR(64) NOT NULL,
      status VARCHAR(16) NOT NULL,
      attempts INT NOT NULL DEFAULT 0,
      next_attempt_at DATETIME(3) NULL,
      last_status_code INT NULL,
      last_error VARCHAR(1000) NULL,
      created_at DATETIME(3) NOT NULL,
      updated_at DATETIME(3) NOT NULL,
      UNIQUE KEY uq_deliveries_webhook_message (webhook_id, message_id),
      KEY ix_deliveries_webhook_time (webhook_id, created_at),
      CONSTRAINT fk_deliveries_webhook FOREIGN KEY (webhook_id) REFERENCES webhooks(id) ON DELETE CASCADE
    ) ${opts}`);
    await q.query(`CREATE TABLE webhook_delivery_attempts (
      id VARCHAR(40) NOT NULL PRIMARY KEY,
      delivery_id VARCHAR(40) NOT NULL,
      attempt INT NOT NULL,
      status_code INT NULL,
      duration_ms INT NOT NULL,
      response_body TEXT NULL,
      error VARCHAR(1000) NULL,
      created_at DATETIME(3) NOT NULL,
      KEY ix_attempts_delivery (delivery_id, attempt),
      CONSTRAINT fk_attempts_delivery FOREIGN KEY (delivery_id) REFERENCES webhook_deliveries(id) ON DELETE CASCADE
    ) ${opts}`);
    await q.query(`CREATE TABLE idempotency_records (
      id VARCHAR(40) NOT NULL PRIMARY KEY,
      api_key_id VARCHAR(40) NOT NULL,
      idempotency_key VARCHAR(255) NOT NULL,
      fingerprint CHAR(64) NOT NULL,
      state VARCHAR(16) NOT NULL,
      response_status INT NULL,
      response_body MEDIUMTEXT NULL,
      created_at DATETIME(3) NOT NULL,
      expires_at DATETIME(3) NOT NULL,
      UNIQUE KEY uq_idempotency_key (api_key_id, idempotency_key),
      KEY ix_idempotency_expires (expires_at)
    ) ${opts}`);
  }

  async down(q: QueryRunner): Promise<void> {
    for (const t of [
      'idempotency_records', 'webhook_delivery_attempts', 'webhook_deliveries', 'outbox', 'webhooks', 'api_keys',
      'inbound_events', 'sale_items', 'sales', 'mapping_versions', 'partner_locations', 'partners', 'bookings',
      'customers', 'venue_events', 'services', 'venue_tables', 'areas', 'venues',
    ]) {
      await q.query(`DROP TABLE IF EXISTS ${t}`);
    }
  }
}
