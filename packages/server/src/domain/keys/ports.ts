import type { SigningKeyRecord } from './model.js';

export interface SigningKeyRecords {
  insert(k: SigningKeyRecord): Promise<void>;
  live(tenantId: string, now: number): Promise<SigningKeyRecord[]>;
  retireActive(tenantId: string, kid: string | null, at: number, graceMs: number): Promise<boolean>;
  unpublishAll(tenantId: string, at: number): Promise<string[]>;
  activateNext(tenantId: string, kid: string, at: number, ttlSeconds: number): Promise<boolean>;
  raiseTokenTtl(tenantId: string, ttlSeconds: number): Promise<void>;
  deleteExpired(now: number): Promise<void>;
}
