import type { Db } from '../db.js';

/** Accepted leaked-secret reports, by digest: the same signed report twice is a replay. */
export class SecretReportRepo {
  constructor(private readonly db: Db) {}

  /** Records a report's digest; false when it was already recorded (the primary key refuses the second). */
  async record(digest: string, reporter: string, now: number, expiresAt: number): Promise<boolean> {
    const r = await this.db.insertInto('secret_scanning_reports').values({ digest, reporter, received_at: now, expires_at: expiresAt })
      .onConflict((oc) => oc.doNothing()).returning('digest').executeTakeFirst();
    return r !== undefined;
  }

  /** Forgets a report whose handling failed, so that the sender's retry is not taken for a replay. */
  async forget(digest: string): Promise<void> {
    await this.db.deleteFrom('secret_scanning_reports').where('digest', '=', digest).execute();
  }

  async sweep(now: number): Promise<void> {
    await this.db.deleteFrom('secret_scanning_reports').where('expires_at', '<', now).execute();
  }
}
