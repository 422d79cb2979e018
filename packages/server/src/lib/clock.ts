import fs from 'node:fs';

/** The time the schedulers read (expiry warnings, webhook and email retries). */
export interface Clock {
  now(): number;
}

export const systemClock: Clock = { now: () => Date.now() };

/**
 * Test mode only (LATCHKEY_TEST_CLOCK_FILE, refused when NODE_ENV=production): real time plus the
 * offset in milliseconds written in the file, read on every call, so a test moves the schedulers'
 * time by writing a number instead of sleeping for hours. A file rather than an endpoint: nothing
 * reachable over the network can move the server's time. Only the schedulers read this clock; the
 * token endpoint and the API keep the real time.
 */
export function fileClock(file: string): Clock {
  return {
    now() {
      let offset = 0;
      try {
        offset = Number(fs.readFileSync(file, 'utf8').trim()) || 0;
      } catch {
        /* no file yet: no offset */
      }
      return Date.now() + offset;
    },
  };
}
