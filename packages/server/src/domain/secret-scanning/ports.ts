/** Leaked-secret reports already received, so a replayed report changes nothing. */
export interface SecretReportRecords {
  record(digest: string, reporter: string, now: number, expiresAt: number): Promise<void>;
  seen(digest: string, now: number): Promise<boolean>;
  sweep(now: number): Promise<void>;
}
