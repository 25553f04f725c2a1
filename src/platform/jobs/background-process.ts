/** Something long-running a role starts (a BullMQ worker, a relay loop). */
export interface BackgroundProcess {
  readonly name: string;
  close(): Promise<void>;
}
