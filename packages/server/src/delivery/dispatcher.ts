import { randomUUID } from 'node:crypto';
import type { Store } from '../store/index.js';
import type { Sealer } from '../crypto/master-key.js';
import type { Clock } from '../lib/clock.js';
import type { OutboxMessage } from '../domain/webhooks/model.js';
import { secretAad } from '../domain/webhooks/model.js';
import type { WebhookPayload } from '../domain/webhooks/events.js';
import { ATTEMPT_TIMEOUT_MS, nextAttemptAt } from '../domain/webhooks/backoff.js';
import type { OutboundGuard } from '../lib/outbound-guard.js';
import { postWebhook, type AttemptResult } from './webhook-sender.js';
import { emailFor } from './email.js';
import type { Mailer } from './mailer.js';

// A lease outlives one attempt comfortably; a process that dies holding it frees it when it lapses.
const LEASE_MS = ATTEMPT_TIMEOUT_MS + 50_000;
// Messages sent for one endpoint under one lease before others get their turn.
const BATCH = 20;

export interface DispatcherOptions {
  store: Store;
  sealer: Sealer;
  /** The HTTP client for endpoints: reaches only the addresses the configuration allows. */
  outbound: OutboundGuard;
  clock: Clock;
  mailer?: Mailer;
  publicUrl: string;
  pollMs?: number;
  /** How long one webhook attempt may take (default ATTEMPT_TIMEOUT_MS; tests shorten it). */
  attemptTimeoutMs?: number;
  /** Endpoints this process delivers to at the same time (default 16). */
  maxEndpoints?: number;
  /** Emails this process sends at the same time (default 4). */
  maxEmails?: number;
  onError?: (err: unknown) => void;
}

/**
 * Delivers the outbox: runs in every process. Each endpoint is delivered by its own loop, so a slow
 * or dead receiver delays only its own messages; at most `maxEndpoints` loops (and `maxEmails`
 * emails) run at once in a process. For each endpoint, one attempt at a time across all processes
 * (the endpoint's lease), oldest due message first; a failure is retried with backoff for a day,
 * with the same webhook-id and body. At least once: a process that dies after the receiver
 * answered but before recording it leaves the message to be sent again.
 */
export class OutboxDispatcher {
  private readonly owner = randomUUID();
  private readonly maxEndpoints: number;
  private readonly maxEmails: number;
  private readonly attemptTimeoutMs: number;
  private timer?: NodeJS.Timeout;
  private polling?: Promise<void>;
  private stopping = false;
  /** What this process is delivering now: endpoint loops by endpoint id, emails by message id. */
  private readonly endpoints = new Map<string, Promise<void>>();
  private readonly emails = new Map<string, Promise<void>>();

  constructor(private readonly o: DispatcherOptions) {
    this.maxEndpoints = o.maxEndpoints ?? 16;
    this.maxEmails = o.maxEmails ?? 4;
    this.attemptTimeoutMs = Math.min(o.attemptTimeoutMs ?? ATTEMPT_TIMEOUT_MS, ATTEMPT_TIMEOUT_MS);
  }

  start(): void {
    this.stopping = false;
    this.timer = setInterval(() => {
      if (!this.polling)
        this.polling = this.poll()
          .catch((err) => this.o.onError?.(err))
          .finally(() => {
            this.polling = undefined;
          });
    }, this.o.pollMs ?? 1000);
    this.timer.unref();
  }

  /** Stops polling; each loop ends after its attempt in flight, which is recorded before this resolves. */
  async stop(): Promise<void> {
    this.stopping = true;
    clearInterval(this.timer);
    await this.polling;
    await this.settled();
  }

  /** One poll, then waits until everything it started (and anything already running) is done. */
  async tick(): Promise<void> {
    await this.poll();
    await this.settled();
  }

  private async settled(): Promise<void> {
    while (this.endpoints.size > 0 || this.emails.size > 0)
      await Promise.all([...this.endpoints.values(), ...this.emails.values()]);
  }

  /** Starts a loop for each due endpoint, and a send for each due email, that has none yet, within the bounds. */
  private async poll(): Promise<void> {
    const { store } = this.o;
    const endpointRoom = this.maxEndpoints - this.endpoints.size;
    if (endpointRoom > 0) {
      for (const id of await store.outbox.dueEndpoints(this.o.clock.now(), endpointRoom)) {
        if (this.stopping || this.endpoints.has(id) || this.endpoints.size >= this.maxEndpoints) continue;
        this.track(this.endpoints, id, () => this.drainEndpoint(id));
      }
    }
    const emailRoom = this.maxEmails - this.emails.size;
    if (this.o.mailer && emailRoom > 0) {
      for (const m of await store.outbox.dueEmails(this.o.clock.now(), emailRoom)) {
        if (this.stopping || this.emails.has(m.id) || this.emails.size >= this.maxEmails) continue;
        this.track(this.emails, m.id, () => this.sendEmail(m));
      }
    }
  }

  private track(running: Map<string, Promise<void>>, key: string, work: () => Promise<void>): void {
    running.set(
      key,
      work()
        .catch((err) => this.o.onError?.(err))
        .finally(() => running.delete(key)),
    );
  }

  private async drainEndpoint(endpointId: string): Promise<void> {
    const { store } = this.o;
    try {
      for (let i = 0; i < BATCH && !this.stopping; i++) {
        const now = this.o.clock.now();
        if (!(await store.webhooks.lease(endpointId, this.owner, now, now + LEASE_MS))) return;
        const m = await store.outbox.oldestDue(endpointId, now);
        if (!m) return;
        const endpoint = await store.webhooks.byId(m.tenantId, endpointId);
        if (!endpoint?.enabled) return;
        const secret = this.o.sealer.open(endpoint.secretSealed, secretAad(endpoint.id));
        const at = this.o.clock.now();
        await this.record(
          m,
          at,
          await postWebhook(this.o.outbound, endpoint.url, secret, m.id, m.payload, at, this.attemptTimeoutMs),
        );
      }
    } finally {
      await store.webhooks.release(endpointId, this.owner);
    }
  }

  private async sendEmail(m: OutboxMessage): Promise<void> {
    const { store } = this.o;
    const now = this.o.clock.now();
    if (!(await store.outbox.leaseMessage(m.id, this.owner, now, now + LEASE_MS))) return;
    const payload = JSON.parse(m.payload) as WebhookPayload;
    const ownerId =
      (payload.data.owner as { id?: string } | null)?.id ?? (payload.data.ownerId as string | undefined) ?? null;
    const to = await store.outbox.emailRecipients(m.tenantId, ownerId);
    const started = performance.now();
    let result: AttemptResult;
    try {
      if (to.length > 0) await this.o.mailer!.send({ to, ...emailFor(payload, this.o.publicUrl) });
      result = {
        ok: true,
        statusCode: null,
        error: to.length > 0 ? null : 'nobody to tell (no active owner or manager)',
        durationMs: Math.round(performance.now() - started),
      };
    } catch (err) {
      result = {
        ok: false,
        statusCode: null,
        error: String((err as Error).message).slice(0, 200),
        durationMs: Math.round(performance.now() - started),
      };
    }
    await this.record(m, now, result);
  }

  private async record(m: OutboxMessage, at: number, r: AttemptResult): Promise<void> {
    const attempt = m.attempts + 1;
    const next = r.ok ? null : nextAttemptAt(m.firstAttemptAt ?? at, attempt, at);
    await this.o.store.transaction((tx) =>
      tx.outbox.recordAttempt(
        m,
        { attempt, at, statusCode: r.statusCode, error: r.error, durationMs: r.durationMs },
        {
          state: r.ok ? 'delivered' : next === null ? 'failed' : 'pending',
          nextAttemptAt: next,
        },
      ),
    );
  }
}
