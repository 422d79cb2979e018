import { Chip } from '@mui/material';
import WarningIcon from '@mui/icons-material/WarningAmber';
import { expiresIn, formatDate } from './format';

export function StatusChip({ status }: { status: 'active' | 'expired' | 'revoked' }) {
  const color = status === 'active' ? 'success' : status === 'revoked' ? 'error' : 'default';
  const label = status === 'active' ? 'Active' : status === 'revoked' ? 'Revoked' : 'Expired';
  return <Chip size="small" label={label} color={color} variant={status === 'active' ? 'filled' : 'outlined'} />;
}

/** The date and "expires in N days", in the warning colour under 7 days (styled by the table's ROW_STYLES). */
export function ExpiresCell({ iso, status }: { iso: string; status: string }) {
  const e = expiresIn(iso);
  const warn = e.soon && status === 'active';
  return (
    <div className="expires">
      {formatDate(iso)}
      {status !== 'revoked' ? (
        <span className={warn ? 'expires-in soon' : 'expires-in'}>
          {warn ? <WarningIcon fontSize="inherit" titleAccess="Expires within 7 days" /> : null}
          {e.text}
        </span>
      ) : null}
    </div>
  );
}
