const DAY = 86_400_000;
const dateFmt = new Intl.DateTimeFormat('en', { dateStyle: 'medium' });
const dateTimeFmt = new Intl.DateTimeFormat('en', { dateStyle: 'medium', timeStyle: 'short' });
const dateTimeSecondsFmt = new Intl.DateTimeFormat('en', { dateStyle: 'medium', timeStyle: 'medium' });

export const formatDate = (iso: string) => dateFmt.format(new Date(iso));
export const formatDateTime = (iso: string) => dateTimeFmt.format(new Date(iso));
/** With seconds: for logs, where a retry 5 s later must not look like the same moment. */
export const formatDateTimeSeconds = (iso: string) => dateTimeSecondsFmt.format(new Date(iso));
const timeFmt = new Intl.DateTimeFormat('en', { timeStyle: 'short' });
/** A time today as "10:31 PM", any other as "Dec 8, 2026, 9:30 PM" (in the viewer's time). */
export function formatWhen(iso: string, now = new Date()): string {
  const d = new Date(iso);
  return d.toDateString() === now.toDateString() ? timeFmt.format(d) : dateTimeFmt.format(d);
}

/** "expires in 3 days", "expired 2 days ago"; `soon` under 7 days. */
export function expiresIn(iso: string, now = Date.now()): { text: string; soon: boolean; past: boolean } {
  const ms = Date.parse(iso) - now;
  const days = Math.floor(Math.abs(ms) / DAY);
  if (ms <= 0)
    return {
      text: days === 0 ? 'expired today' : `expired ${days} day${days === 1 ? '' : 's'} ago`,
      soon: false,
      past: true,
    };
  const text = days === 0 ? 'expires today' : `expires in ${days} day${days === 1 ? '' : 's'}`;
  return { text, soon: ms < 7 * DAY, past: false };
}

export const addDays = (days: number, from = Date.now()) => new Date(from + days * DAY);
/** yyyy-mm-dd in local time, for date inputs. */
export const dateInputValue = (d: Date) =>
  `${d.getFullYear()}-${String(d.getMonth() + 1).padStart(2, '0')}-${String(d.getDate()).padStart(2, '0')}`;
