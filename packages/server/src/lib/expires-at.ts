// ISO 8601 as RFC 3339 writes it: a date, or a date-time with seconds and a time zone.
const DATE = /^(\d{4})-(\d{2})-(\d{2})$/;
const DATE_TIME = /^(\d{4})-(\d{2})-(\d{2})[Tt](\d{2}):(\d{2}):(\d{2})(\.\d{1,9})?([Zz]|[+-](\d{2}):(\d{2}))$/;

function realDate(y: string, m: string, d: string): boolean {
  const t = new Date(Date.UTC(+y, +m - 1, +d));
  return t.getUTCFullYear() === +y && t.getUTCMonth() === +m - 1 && t.getUTCDate() === +d;
}

/**
 * An expiry as people write it: an ISO 8601 date-time, or a date meaning the end of that day in UTC
 * (what "expires on 2027-01-15" means). Milliseconds since the epoch; NaN for anything else.
 */
export function parseExpiresAt(value: string): number {
  const date = DATE.exec(value);
  if (date)
    return realDate(date[1], date[2], date[3]) ? Date.UTC(+date[1], +date[2] - 1, +date[3], 23, 59, 59, 999) : NaN;
  const dt = DATE_TIME.exec(value);
  if (!dt || !realDate(dt[1], dt[2], dt[3]) || +dt[4] > 23 || +dt[5] > 59 || +dt[6] > 59) return NaN;
  if (dt[9] !== undefined && (+dt[9] > 23 || +dt[10] > 59)) return NaN;
  return Date.parse(value);
}
