import type { SecretReportRecords } from '../../domain/secret-scanning/ports.js';
import type { Db } from '../db.js';

/** Accepted leaked-secret reports, by digest: the same signed report twice is a replay. */
export class SecretReportRepo implements SecretReportRecords {
  constructor(private readonly db: Db) {}

  /** Records a handled report's digest (a concurrent twin already recorded it: nothing to do). */
  async record(digest: string, reporter: string, now: number, expiresAt: number): Promise<void> {
    await this.db
      .insertInto('secret_scanning_reports')
      .values({ digest, reporter, received_at: now, expires_at: expiresAt })
      .onConflict((oc) => oc.doNothing())
      .execute();
  }

  /** Whether a report with this digest was handled within the replay window. */
  async seen(digest: string, now: number): Promise<boolean> {
    const r = await this.db
      .selectFrom('secret_scanning_reports')
      .select('digest')
      .where('digest', '=', digest)
      .where('expires_at', '>=', now)
      .executeTakeFirst();
    return r !== undefined;
  }

  async sweep(now: number): Promise<void> {
    await this.db.deleteFrom('secret_scanning_reports').where('expires_at', '<', now).execute();
  }
}
