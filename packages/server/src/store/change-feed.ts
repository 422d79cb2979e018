import { randomUUID } from 'node:crypto';
import type { Announcement, Change, ChangeListener } from '../domain/changes.js';

/**
 * Delivers committed changes to this process's subscribers: those made here (by the store, after
 * commit) and those made by other processes (received through PostgreSQL notifications).
 */
export class ChangeFeed {
  /** Names this process in its notifications, so it skips its own (applied at commit already). */
  readonly origin = randomUUID();
  private readonly listeners = new Set<ChangeListener>();
  private readonly errors: ((err: unknown) => void)[] = [];

  subscribe(listener: ChangeListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** A failing subscriber must not fail the write that already committed, nor starve the others. */
  onListenerError(handler: (err: unknown) => void): void {
    this.errors.push(handler);
  }

  deliver(changes: readonly Announcement[]): void {
    for (const change of changes) {
      for (const listener of this.listeners) {
        try {
          listener(change);
        } catch (err) {
          for (const h of this.errors) h(err);
        }
      }
    }
  }

  /** Changes from another process's notification; ours are skipped. */
  received(origin: string, changes: readonly Change[]): void {
    if (origin !== this.origin) this.deliver(changes);
  }

  /** Notifications may have been lost: every subscriber drops what it holds. */
  missed(): void {
    this.deliver([{ type: 'changes.missed' }]);
  }
}
