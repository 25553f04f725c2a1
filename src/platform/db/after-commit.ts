/**
 * Work that waits for the commit of the transaction that asked for it (today: waking the outbox relay of
 * this process once new outbox rows are visible, src/modules/outbox/outbox.ts). A hook runs after a successful
 * COMMIT only, once per transaction whatever the number of times it was asked for, and never after a
 * rollback. Three kinds of transactions carry hooks, each running them at its commit:
 * - a TypeORM transaction (dataSource.transaction, a query runner's): CommitHooks below, a DataSource subscriber;
 * - a session-pool transaction (session-pool.ts): a statement's `afterCommit`, or its EntityManager's hooks;
 * - no transaction (an autocommit EntityManager): the hook runs at once, the write being committed already.
 */
import { EventSubscriber, type DataSource, type EntityManager, type EntitySubscriberInterface, type QueryRunner } from 'typeorm';
import type { TransactionCommitEvent } from 'typeorm/subscriber/event/TransactionCommitEvent';
import type { TransactionRollbackEvent } from 'typeorm/subscriber/event/TransactionRollbackEvent';

/** Called with the DataSource whose transaction committed. */
export type CommitHook = (dataSource: DataSource) => void;

const HOOKS = 'tablesync.afterCommit';

function hooksOf(qr: QueryRunner): Set<CommitHook> | undefined {
  return (qr.data as Record<string, Set<CommitHook> | undefined>)[HOOKS];
}

/** Runs `hook` once em's transaction has committed (at once when em is in no transaction). */
export function afterCommit(em: EntityManager, hook: CommitHook): void {
  const qr = em.queryRunner;
  if (!qr?.isTransactionActive) {
    hook(em.connection);
    return;
  }
  const data = qr.data as Record<string, Set<CommitHook> | undefined>;
  (data[HOOKS] ??= new Set()).add(hook);
}

/** Takes the hooks queued on `qr` (none left behind, for a runner used again). */
export function takeCommitHooks(qr: QueryRunner | null | undefined): CommitHook[] {
  const hooks = qr ? hooksOf(qr) : undefined;
  if (!hooks) return [];
  delete (qr!.data as Record<string, unknown>)[HOOKS];
  return [...hooks];
}

/** Runs hooks after a commit; a failing hook is not the transaction's failure. */
export function runCommitHooks(hooks: Iterable<CommitHook>, dataSource: DataSource): void {
  for (const hook of hooks) {
    try {
      hook(dataSource);
    } catch {
      // A hook is a nudge (a wake-up); the committed work stands and the relay's poll still finds it.
    }
  }
}

/** The TypeORM side: registered on every DataSource (data-source.ts; TypeORM keeps decorated classes only). */
@EventSubscriber()
export class CommitHooks implements EntitySubscriberInterface {
  afterTransactionCommit(event: TransactionCommitEvent): void {
    // A released savepoint broadcasts this too; only the outermost COMMIT makes the writes visible.
    if (event.queryRunner.isTransactionActive) return;
    runCommitHooks(takeCommitHooks(event.queryRunner), event.connection);
  }

  afterTransactionRollback(event: TransactionRollbackEvent): void {
    if (!event.queryRunner.isTransactionActive) takeCommitHooks(event.queryRunner);
  }
}
