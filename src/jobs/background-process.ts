/** Something long-running a role starts (a BullMQ worker, a relay loop, a cache subscriber). */
export interface BackgroundProcess {
  readonly name: string;
  close(): Promise<void>;
}
