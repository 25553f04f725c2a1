import { hash, verify } from '@node-rs/argon2';

// @node-rs/argon2's Algorithm is an ambient const enum (unusable under isolatedModules): 2 is Argon2id.
const ARGON2ID = 2;

/** CONTRACT §8: at least 10 characters. */
export const MIN_PASSWORD_LENGTH = 10;
/** Longer inputs only cost hashing time; no one types more. */
export const MAX_PASSWORD_LENGTH = 1024;

export interface PasswordCost {
  /** KiB of memory per hash. */
  memoryKib: number;
  /** Passes over that memory. */
  iterations: number;
}

/**
 * argon2id (@node-rs/argon2: prebuilt binaries from npm, hashing off the event loop). The cost comes from
 * config (PASSWORD_HASH_MEMORY_KIB, PASSWORD_HASH_ITERATIONS); each stored hash carries its own parameters,
 * so a change of cost applies to new passwords and old hashes still verify.
 */
export class PasswordHasher {
  private dummy: Promise<string> | null = null;

  constructor(private readonly cost: PasswordCost) {}

  hash(password: string): Promise<string> {
    return hash(password, {
      algorithm: ARGON2ID, memoryCost: this.cost.memoryKib, timeCost: this.cost.iterations, parallelism: 1,
    });
  }

  async verify(stored: string, password: string): Promise<boolean> {
    try {
      return await verify(stored, password);
    } catch {
      return false;
    }
  }

  /**
   * Spends the time of one verification without an account, so an unknown email answers as slowly as a
   * wrong password (the same 401 in about the same time).
   */
  async verifyNothing(password: string): Promise<false> {
    this.dummy ??= this.hash('dummy password of no account');
    await this.verify(await this.dummy, password);
    return false;
  }
}
