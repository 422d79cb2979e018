import { Box, Chip, Tooltip } from '@mui/material';
import WarningIcon from '@mui/icons-material/WarningAmber';
import { expiresIn, formatDate } from './format';

export function StatusChip({ status }: { status: 'active' | 'expired' | 'revoked' }) {
  const color = status === 'active' ? 'success' : status === 'revoked' ? 'error' : 'default';
  const label = status === 'active' ? 'Active' : status === 'revoked' ? 'Revoked' : 'Expired';
  return <Chip size="small" label={label} color={color} variant={status === 'active' ? 'filled' : 'outlined'} />;
}

/** The date and "expires in N days", in the warning colour under 7 days. */
export function ExpiresCell({ iso, status }: { iso: string; status: string }) {
  const e = expiresIn(iso);
  const warn = e.soon && status === 'active';
  return (
    <Box sx={{ whiteSpace: 'nowrap' }}>
      {formatDate(iso)}
      {status !== 'revoked' ? (
        <Box component="span" sx={{ display: 'flex', alignItems: 'center', gap: 0.5, fontSize: 13, color: warn ? 'warning.main' : 'text.secondary', fontWeight: warn ? 600 : 400 }}>
          {warn ? <Tooltip title="Expires within 7 days"><WarningIcon sx={{ fontSize: 16 }} aria-hidden="false" aria-label="Warning" /></Tooltip> : null}
          {e.text}
        </Box>
      ) : null}
    </Box>
  );
}
