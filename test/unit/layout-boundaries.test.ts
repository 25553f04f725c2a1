import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { Linter } from 'eslint';
import tseslint from 'typescript-eslint';

/** eslint/layout-plugin.cjs (`layout/boundaries`, on for src/ in eslint.config.mjs): what it refuses and what it lets through. */
// eslint-disable-next-line @typescript-eslint/no-require-imports
const layout = require('../../eslint/layout-plugin.cjs');

const ROOT = path.join(__dirname, '..', '..');
const linter = new Linter({ cwd: ROOT });
const config = [{
  files: ['**/*.ts', '**/*.tsx'],
  languageOptions: { parser: tseslint.parser as Linter.Parser },
  plugins: { layout },
  rules: { 'layout/boundaries': 'error' as const },
}];

/** The rule's messages for `code` as the file `file` (relative to the project root). */
function lint(file: string, code: string): string[] {
  return linter.verify(code, config, { filename: path.join(ROOT, file) }).map((m) => m.message);
}

describe('layout/boundaries', () => {
  it("refuses a module's insides from another module, a surface or the root, and says which door to use", () => {
    expect(lint('src/modules/guests/x.ts', "import { changeBookingStatus } from '../diary/change-status';"))
      .toEqual([expect.stringContaining("Import the diary module's door (src/modules/diary/index.ts), not its file change-status")]);
    expect(lint('src/surfaces/integrator-api/x.routes.ts', "import { listSales } from '../../modules/sales/list-sales';")).toHaveLength(1);
    expect(lint('src/composition-root.ts', "export { startOutboxRelay } from './modules/events/relay';")).toHaveLength(1);
    expect(lint('src/surfaces/admin/x.ts', "const m = require('../../modules/partners/mapping/mapping-store');")).toHaveLength(1);
    expect(lint('src/surfaces/admin/x.ts', "const m = () => import('../../modules/partners/edge/sale-lock');")).toHaveLength(1);
  });

  it("lets through a module's door and its own files", () => {
    expect(lint('src/modules/guests/x.ts', "import { changeBookingStatus } from '../diary';")).toEqual([]);
    expect(lint('src/surfaces/admin/x.ts', "import { partners } from '../../modules/partners/index';")).toEqual([]);
    expect(lint('src/modules/partners/pipeline/x.ts', "import { SaleLock } from '../edge/sale-lock';")).toEqual([]);
    expect(lint('src/modules/sales/x.ts', "import { holdsTable } from '../diary';")).toEqual([]);
    // no exception left for diary ↔ sales: each other's insides are refused both ways
    expect(lint('src/modules/sales/x.ts', "import { holdsTable } from '../diary/booking-lifecycle';")).toHaveLength(1);
    expect(lint('src/modules/diary/x.ts', "import { presentSale } from '../sales/sale.view';")).toHaveLength(1);
    expect(lint('src/modules/customers/x.ts', "import { holdsTable } from '../diary/booking-lifecycle';")).toHaveLength(1);
  });

  it('refuses surfaces from modules and the platform, and modules from the platform', () => {
    expect(lint('src/modules/diary/x.ts', "import { defineOperation } from '../../surfaces/http/operation';"))
      .toEqual([expect.stringContaining('never import a surface')]);
    expect(lint('src/platform/x.ts', "import type { Principal } from '../surfaces/http/principal';")).toHaveLength(1);
    expect(lint('src/platform/jobs/x.ts', "import { outboxStatement } from '../../modules/outbox';"))
      .toEqual([expect.stringContaining('src/platform/ imports no module (outbox)')]);
    expect(lint('src/surfaces/admin/x.ts', "import { defineOperation } from '../http/operation';")).toEqual([]);
  });

  it('refuses BullMQ workers/queues, Redis clients and the session pool built outside the root and platform/jobs', () => {
    const code = [
      "import { Queue, Worker as BullWorker, QueueEvents } from 'bullmq';",
      "import Redis, { Cluster } from 'ioredis';",
      "import { SessionPool } from '../../platform/db/session-pool';",
      "import * as bull from 'bullmq';",
      "new Queue('q'); new BullWorker('q', async () => {}); new QueueEvents('q'); new Redis(); new Cluster([]);",
      'new SessionPool(null as never, 1); new bull.Worker("q", async () => {});',
    ].join('\n');
    expect(lint('src/modules/webhooks/x.ts', code)).toHaveLength(7);
    expect(lint('src/platform/jobs/queues.ts', code)).toEqual([]);
    expect(lint('src/composition-root.ts', code)).toEqual([]);
    expect(lint('src/platform/redis-connections.ts', "import { Redis } from 'ioredis'; new Redis();")).toEqual([]);
  });

  it('lets through what only shares a name: a node:worker_threads Worker, a type import, a Queue type', () => {
    expect(lint('src/modules/partners/mapping/x.ts', "import { Worker } from 'node:worker_threads'; new Worker('x.js');")).toEqual([]);
    expect(lint('src/modules/webhooks/x.ts', "import type { Queue } from 'bullmq'; let q: Queue | null = null; void q;")).toEqual([]);
  });

  it('lets the platform and the web app import the dependency-free status machine, and nothing else of a module; that file imports nothing', () => {
    expect(lint('src/platform/db/entities/booking.entity.ts', "import type { BookingStatus } from '../../../modules/diary/booking-statuses';")).toEqual([]);
    expect(lint('src/platform/db/entities/booking.entity.ts', "import type { VenueRef } from '../../../modules/diary/diary-store';")).toHaveLength(1);
    expect(lint('web/src/booking-status.ts', "import { BOOKING_TRANSITIONS } from '../../src/modules/diary/booking-statuses';")).toEqual([]);
    expect(lint('web/src/pages/x.tsx', "import { holdsTable } from '../../../src/modules/diary';"))
      .toEqual([expect.stringContaining('The web app imports nothing of src/ but')]);
    expect(lint('web/src/x.ts', "import { statusLabel } from './booking-status';")).toEqual([]);
    expect(lint('src/modules/diary/booking-statuses.ts', "import { AppError } from '../../platform/app-error';"))
      .toEqual([expect.stringContaining('it imports nothing')]);
    expect(lint('src/modules/diary/booking-statuses.ts', "import { readFileSync } from 'node:fs';")).toHaveLength(1);
    // other modules still go through the diary's door
    expect(lint('src/modules/sales/x.ts', "import { holdsTable } from '../diary/booking-statuses';")).toHaveLength(1);
  });

  it('is switched off nowhere in src/ (no eslint-disable of layout/boundaries)', () => {
    const files = (dir: string): string[] =>
      readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
        const p = path.join(dir, e.name);
        return e.isDirectory() ? files(p) : e.name.endsWith('.ts') ? [p] : [];
      });
    const disabled = files(path.join(ROOT, 'src')).filter((f) => /eslint-disable[^\n]*layout\/boundaries/.test(readFileSync(f, 'utf8')));
    expect(disabled.map((f) => path.relative(ROOT, f))).toEqual([]);
  });
});
