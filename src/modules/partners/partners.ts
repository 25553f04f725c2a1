import { randomBytes } from 'node:crypto';
import type { EntityManager } from 'typeorm';
import { adapters, getAdapter } from '../../../adapters';
import { knownSchemes, resolveVerifier, standardWebhooksKeys } from './edge/signature-schemes';
import { Partner, type AckMode, type ConflictMode } from '../../platform/db/entities';
import { AppError, notFound } from '../../platform/app-error';
import { newId } from '../../platform/ids';
import type { SecretBox } from '../../platform/secret-box';
import type { PartnerCreatedView, PartnerView } from './partner-views';

/**
 * Partners: the POS vendors that push events (CONTRACT §3). A partner names an adapter (code, from
 * adapters/index.ts) and a signature scheme; its secret is sealed with the SecretBox and shown only
 * when it is generated.
 */

/** 400 validation_error naming the field, in the same shape as the HTTP layer's schema errors. */
function fieldError(field: string, message: string, extra: Record<string, unknown> = {}): AppError {
  return new AppError('validation_error', `Invalid ${field}: ${message}.`, { field, errors: [{ field, message }], ...extra });
}

export interface PartnerSignatureInput {
  scheme: string;
  header?: string | null;
  secret?: string;
}

export interface CreatePartnerInput {
  name: string;
  adapter?: string;
  signature: PartnerSignatureInput;
  ack?: AckMode;
  conflict?: ConflictMode;
  enabled?: boolean;
  /** @defaultValue true */
  send_confirmation?: boolean;
  /** The catalog template it is made from (createPartnerFromTemplate, installed file partners). */
  template?: string | null;
  /**
   * Install without a secret (file partners, CONTRACT §15): disabled, `secret_set: false`, until a secret is
   * set or rotated. Not part of the admin API body.
   */
  withoutSecret?: boolean;
}

/** The sealed value of "no secret yet": such a partner is disabled and its requests fail closed. */
const NO_SECRET = '';

export function hasSecret(p: Partner): boolean {
  return p.secretEncrypted !== NO_SECRET;
}

/** The partner's secret in plain text; empty while none is set (verifiers then fail closed). */
export function partnerSecret(secretBox: SecretBox, p: Partner): string {
  return hasSecret(p) ? secretBox.decrypt(p.secretEncrypted) : '';
}

export interface UpdatePartnerInput {
  adapter?: string;
  signature?: Partial<PartnerSignatureInput>;
  /** Generate a new secret and return it once. */
  rotate_secret?: boolean;
  ack?: AckMode;
  conflict?: ConflictMode;
  enabled?: boolean;
  send_confirmation?: boolean;
}

export interface PartnerWithSecret {
  partner: Partner;
  /** Set only when the secret was generated here: the one time it is shown. */
  generatedSecret: string | null;
}

/** A fresh secret in the shape the scheme expects. */
export function generateSecret(scheme: string): string {
  const random = randomBytes(32);
  if (scheme === 'basic') return `tablesync:${random.toString('base64url')}`;
  if (scheme === 'standard-webhooks') return `whsec_${random.toString('base64')}`;
  return random.toString('base64url');
}

/**
 * The adapter exists and the scheme is one it can verify; else 400 validation_error naming the field, with
 * `details.valid` listing what would be accepted (from the adapter registry and the scheme registry).
 */
export function checkPartnerConfig(adapterName: string, scheme: string): void {
  const adapter = getAdapter(adapterName);
  if (!adapter) {
    const valid = Object.keys(adapters);
    throw fieldError('adapter', `"${adapterName}" is not a known adapter (known: ${valid.join(', ')})`, { valid });
  }
  if (!resolveVerifier(scheme, adapter)) {
    const valid = knownSchemes(adapter);
    throw fieldError('signature.scheme', `"${scheme}" is not a signature scheme the ${adapterName} adapter knows (known: ${valid.join(', ')})`, {
      valid,
    });
  }
}

function checkSecret(scheme: string, secret: string): void {
  if (scheme === 'basic' && !secret.includes(':')) {
    throw fieldError('signature.secret', 'must be "user:password" for the basic scheme');
  }
  if (scheme === 'standard-webhooks' && standardWebhooksKeys(secret).length === 0) {
    throw fieldError('signature.secret', 'is not a usable Standard Webhooks secret');
  }
}

export async function findPartnerByName(em: EntityManager, name: string): Promise<Partner | null> {
  return em.findOne(Partner, { where: { name } });
}

export async function requirePartner(em: EntityManager, name: string): Promise<Partner> {
  const partner = await findPartnerByName(em, name);
  if (!partner) throw notFound('Partner');
  return partner;
}

export function isDuplicateKey(err: unknown): boolean {
  return (err as { code?: string })?.code === 'ER_DUP_ENTRY';
}

export async function createPartner(
  em: EntityManager,
  secretBox: SecretBox,
  input: CreatePartnerInput,
  now = new Date(),
): Promise<PartnerWithSecret> {
  const adapter = input.adapter ?? 'generic';
  checkPartnerConfig(adapter, input.signature.scheme);
  const generatedSecret = input.signature.secret === undefined && !input.withoutSecret ? generateSecret(input.signature.scheme) : null;
  const secret = input.withoutSecret ? null : (input.signature.secret ?? generatedSecret!);
  if (secret !== null) checkSecret(input.signature.scheme, secret);
  const partner = em.create(Partner, {
    id: newId('ptn'),
    name: input.name,
    adapter,
    template: input.template ?? null,
    signatureScheme: input.signature.scheme,
    signatureHeader: input.signature.header ?? null,
    secretEncrypted: secret === null ? NO_SECRET : secretBox.encrypt(secret),
    ackMode: input.ack ?? 'queued',
    conflictMode: input.conflict ?? 'reject',
    enabled: secret === null ? false : (input.enabled ?? true),
    sendConfirmation: input.send_confirmation ?? true,
    createdAt: now,
    updatedAt: now,
  });
  try {
    await em.insert(Partner, partner);
  } catch (err) {
    if (isDuplicateKey(err)) throw new AppError('conflict', `A partner named "${input.name}" already exists.`, { field: 'name' });
    throw err;
  }
  return { partner, generatedSecret };
}

export async function updatePartner(
  em: EntityManager,
  secretBox: SecretBox,
  name: string,
  patch: UpdatePartnerInput,
  now = new Date(),
): Promise<PartnerWithSecret> {
  const partner = await requirePartner(em, name);
  const adapter = patch.adapter ?? partner.adapter;
  const scheme = patch.signature?.scheme ?? partner.signatureScheme;
  checkPartnerConfig(adapter, scheme);
  if (patch.rotate_secret && patch.signature?.secret !== undefined) {
    throw fieldError('rotate_secret', 'cannot be combined with signature.secret');
  }
  const hadSecret = hasSecret(partner);
  let generatedSecret: string | null = null;
  if (patch.rotate_secret) {
    generatedSecret = generateSecret(scheme);
    partner.secretEncrypted = secretBox.encrypt(generatedSecret);
  } else if (patch.signature?.secret !== undefined) {
    checkSecret(scheme, patch.signature.secret);
    partner.secretEncrypted = secretBox.encrypt(patch.signature.secret);
  } else if (scheme !== partner.signatureScheme && hadSecret) {
    // The kept secret must still suit the new scheme (a basic secret needs "user:password").
    checkSecret(scheme, secretBox.decrypt(partner.secretEncrypted));
  } else if (!hadSecret && patch.enabled === true) {
    throw fieldError('enabled', 'needs a secret first: send signature.secret or rotate_secret: true');
  }
  // A partner installed without a secret is enabled by its first one (unless this PATCH says otherwise).
  if (!hadSecret && hasSecret(partner)) partner.enabled = true;
  partner.adapter = adapter;
  partner.signatureScheme = scheme;
  if (patch.signature && 'header' in patch.signature) partner.signatureHeader = patch.signature.header ?? null;
  if (patch.ack !== undefined) partner.ackMode = patch.ack;
  if (patch.conflict !== undefined) partner.conflictMode = patch.conflict;
  if (patch.enabled !== undefined) partner.enabled = patch.enabled;
  if (patch.send_confirmation !== undefined) partner.sendConfirmation = patch.send_confirmation;
  partner.updatedAt = now;
  await em.save(Partner, partner);
  return { partner, generatedSecret };
}

/**
 * The partner as just created or rotated: the generated secret is shown this once, both at the top level
 * and under `signature` (where a caller who sent one would look for it).
 */
export function presentPartnerWithSecret(p: Partner, generatedSecret: string | null): PartnerCreatedView {
  const shown = presentPartner(p);
  if (generatedSecret === null) return shown;
  return { ...shown, secret: generatedSecret, signature: { ...shown.signature, secret: generatedSecret } };
}

/** The admin API's partner object. Never carries the secret; `secret_set` says whether one is set. */
export function presentPartner(p: Partner): PartnerView {
  return {
    id: p.id,
    name: p.name,
    adapter: p.adapter,
    template: p.template ?? null,
    signature: { scheme: p.signatureScheme, header: p.signatureHeader },
    ack: p.ackMode,
    conflict: p.conflictMode,
    enabled: p.enabled,
    send_confirmation: p.sendConfirmation,
    secret_set: hasSecret(p),
    created_at: p.createdAt.toISOString(),
    updated_at: p.updatedAt.toISOString(),
  };
}
