// "Expires on 2027-01-15" names one instant everywhere: the end of that day in UTC (23:59:59.999Z), as
// the server, the SDK, the CLI and the Python client read a bare date. The console chooses, shows and
// filters expiry dates as UTC days too, so whoever looks, in whatever time zone, sees the chosen day;
// the viewer's own clock time of that instant is said next to it.
const DAY = 86_400_000;
// The browser's clock may run a little ahead of the server's, which checks the domain's maximum.
const CLOCK_MARGIN = 60_000;
const YMD = /^(\d{4})-(\d{2})-(\d{2})$/;

function utcMidnight(day: string): number {
  const m = YMD.exec(day);
  if (!m) return NaN;
  const t = Date.UTC(+m[1]!, +m[2]! - 1, +m[3]!);
  // 2027-02-30 is no day (Date.UTC would roll it over to March).
  return new Date(t).toISOString().startsWith(day) ? t : NaN;
}

/** yyyy-mm-dd: the first millisecond of that day in UTC (an invalid Date for anything else). */
export const startOfUtcDay = (day: string) => new Date(utcMidnight(day));

/** yyyy-mm-dd: the last millisecond of that day in UTC, what "expires on that day" means. */
export const endOfUtcDay = (day: string) => new Date(utcMidnight(day) + DAY - 1);

/** yyyy-mm-dd: the first millisecond after that day in UTC (the API's `…To` bounds are exclusive). */
export const startOfNextUtcDay = (day: string) => new Date(utcMidnight(day) + DAY);

/** The UTC day (yyyy-mm-dd) of an instant. */
export const utcDay = (instant: Date | number) => new Date(instant).toISOString().slice(0, 10);

/** The latest expiry date a domain allows: the last day whose end (UTC) is within `maxDays` of now. */
export const lastExpiryDay = (maxDays: number, now = Date.now()) =>
  utcDay(now + maxDays * DAY - CLOCK_MARGIN - (DAY - 1));

const utcDate = new Intl.DateTimeFormat('en', { dateStyle: 'medium', timeZone: 'UTC' });
const utcDateTime = new Intl.DateTimeFormat('en', {
  dateStyle: 'medium',
  timeStyle: 'short',
  timeZone: 'UTC',
  hourCycle: 'h23',
});
const localDateTime = new Intl.DateTimeFormat('en', {
  month: 'short',
  day: 'numeric',
  year: 'numeric',
  hour: 'numeric',
  minute: '2-digit',
  timeZoneName: 'short',
});

/** An expiry as its UTC day, "Jan 15, 2027": the day that was chosen, wherever the viewer is. */
export const formatExpiryDate = (iso: string) => utcDate.format(new Date(iso));

/** An expiry in the viewer's time, with its zone: "Jan 16, 2027, 12:59 PM GMT+13". */
export const formatExpiryLocal = (iso: string) => localDateTime.format(new Date(iso));

/** The exact instant, in UTC and in the viewer's time (a tooltip for the date). */
export const describeExpiry = (iso: string) =>
  `Stops working ${utcDateTime.format(new Date(iso))} UTC (${formatExpiryLocal(iso)})`;
