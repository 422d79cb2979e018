import { randomUUID } from 'node:crypto';
import type { Announcement, Change, ChangeListener } from '../domain/changes.js';

/**
 * Delivers committed changes to this process's subscribers: those made here (by the store, after
 * commit) and those made by other processes (received through PostgreSQL notifications).
 */
/** Where a delivered change was made: in this process, or in another one (a notification). */
export type ChangeSource = 'local' | 'remote';

/** Watches deliveries (metrics): O(1) per change. */
export interface FeedObserver {
  delivered(change: Announcement, source: ChangeSource): void;
  /** Milliseconds from the sender queuing a notification in its committing transaction to its receipt here. */
  lag(ms: number): void;
}

export class ChangeFeed {
  /** Names this process in its notifications, so it skips its own (applied at commit already). */
  readonly origin = randomUUID();
  /**
   * Whether every change committed by another process reaches this one now: true in one process
   * (SQLite); on PostgreSQL only while the listener's connection LISTENs (change-listener.ts).
   */
  connected = true;
  private readonly listeners = new Set<ChangeListener>();
  private readonly errors: ((err: unknown) => void)[] = [];
  private readonly observers: FeedObserver[] = [];

  observe(observer: FeedObserver): void {
    this.observers.push(observer);
  }

  subscribe(listener: ChangeListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** A failing subscriber must not fail the write that already committed, nor starve the others. */
  onListenerError(handler: (err: unknown) => void): void {
    this.errors.push(handler);
  }

  deliver(changes: readonly Announcement[], source: ChangeSource = 'local'): void {
    for (const change of changes) {
      for (const o of this.observers) o.delivered(change, source);
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
  received(origin: string, changes: readonly Change[], sentAt?: number): void {
    if (origin === this.origin) return;
    if (sentAt !== undefined) for (const o of this.observers) o.lag(Math.max(0, Date.now() - sentAt));
    this.deliver(changes, 'remote');
  }

  /** Notifications may have been lost: every subscriber drops what it holds. */
  missed(): void {
    this.deliver([{ type: 'changes.missed' }]);
  }
}
