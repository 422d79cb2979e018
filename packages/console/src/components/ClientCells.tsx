import { Chip } from '@mui/material';
import WarningIcon from '@mui/icons-material/WarningAmber';
import { expiresIn, formatDateTime, formatWhen } from './format';
import { describeExpiry, formatExpiryDate } from './expiry-day';

export function StatusChip({ status }: { status: 'active' | 'expired' | 'revoked' }) {
  const color = status === 'active' ? 'success' : status === 'revoked' ? 'error' : 'default';
  const label = status === 'active' ? 'Active' : status === 'revoked' ? 'Revoked' : 'Expired';
  return <Chip size="small" label={label} color={color} variant={status === 'active' ? 'filled' : 'outlined'} />;
}

const BADGE = {
  active: { label: 'Active', fg: '#fff', bg: '#1b5e20', border: '#1b5e20' },
  expired: { label: 'Expired', fg: 'rgba(0,0,0,0.87)', bg: 'transparent', border: '#bdbdbd' },
  revoked: { label: 'Revoked', fg: '#b71c1c', bg: 'transparent', border: '#b71c1c' },
} as const;

/** The chip's look without a component per row (the first page of a long list renders faster). */
export function StatusBadge({ status }: { status: 'active' | 'expired' | 'revoked' }) {
  const b = BADGE[status];
  return (
    <span
      style={{
        display: 'inline-block',
        padding: '1px 8px',
        borderRadius: 12,
        fontSize: 13,
        lineHeight: '20px',
        color: b.fg,
        background: b.bg,
        border: `1px solid ${b.border}`,
      }}
    >
      {b.label}
    </span>
  );
}

/**
 * The day (UTC, as chosen; the exact instant in the viewer's time on hover) and "expires in N days", in
 * the warning colour under 7 days (styled by the table's ROW_STYLES).
 */
export function ExpiresCell({ iso, status }: { iso: string; status: string }) {
  const e = expiresIn(iso);
  const warn = e.soon && status === 'active';
  return (
    <div className="expires">
      <span title={describeExpiry(iso)}>{formatExpiryDate(iso)}</span>
      {status !== 'revoked' ? (
        <span className={warn ? 'expires-in soon' : 'expires-in'}>
          {warn ? <WarningIcon fontSize="inherit" titleAccess="Expires within 7 days" /> : null}
          {e.text}
        </span>
      ) : null}
    </div>
  );
}

const SCOPE_CHIP = {
  display: 'inline-block',
  padding: '0 6px',
  margin: '1px 4px 1px 0',
  borderRadius: 10,
  fontSize: 12,
  lineHeight: '18px',
  border: '1px solid #9e9e9e',
  fontFamily: 'monospace',
} as const;

/** A personal client's scopes: "All" (all of the owner's permissions) or its subset as small chips. */
export function ScopesCell({ scopes }: { scopes: string[] | null }) {
  if (scopes === null) return <span title="All of the owner's permissions">All</span>;
  return (
    <span>
      {scopes.map((s) => (
        <span key={s} className="scope" style={SCOPE_CHIP}>
          {s}
        </span>
      ))}
    </span>
  );
}

/** When, from where and with what a credential was last used (the user agent shortened; all of it on hover). */
export function LastUsedCell({
  at,
  address,
  userAgent,
}: {
  at: string | null;
  address?: string | null;
  userAgent?: string | null;
}) {
  if (!at) return <>Never</>;
  const from = [address, userAgent && (userAgent.length > 40 ? `${userAgent.slice(0, 39)}…` : userAgent)]
    .filter(Boolean)
    .join(' · ');
  return (
    <div className="last-used" style={{ whiteSpace: 'nowrap' }}>
      {formatDateTime(at)}
      {from ? (
        <div
          className="last-used-from"
          title={userAgent ?? undefined}
          style={{ fontSize: 12, color: 'rgba(0,0,0,0.6)' }}
        >
          {from}
        </div>
      ) : null}
    </div>
  );
}

/** Under the status, while a rotation's overlap lasts: until when the old secret still works. */
export function OldSecretUntil({ at }: { at: string | null }) {
  if (at === null) return null;
  return (
    <span
      title={`The secret replaced by the last rotation works until ${formatDateTime(at)}`}
      style={{
        display: 'block',
        fontSize: 12,
        lineHeight: '16px',
        marginTop: 2,
        color: 'rgba(0,0,0,0.6)',
        whiteSpace: 'nowrap',
      }}
    >
      old secret until {formatWhen(at)}
    </span>
  );
}
