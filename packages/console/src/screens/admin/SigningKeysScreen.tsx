import { useState } from 'react';
import {
  Alert,
  Box,
  Button,
  Chip,
  Paper,
  Table,
  TableBody,
  TableCell,
  TableContainer,
  TableHead,
  TableRow,
  Typography,
} from '@mui/material';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { api, call } from '../../api/client';
import { messageOf } from '../../api/problem';
import { useSession } from '../../session/session';
import { useToast } from '../../components/toasts';
import { ConfirmDialog } from '../../components/ConfirmDialog';
import { EmptyState, ErrorState, Loading } from '../../components/States';
import { formatDateTime } from '../../components/format';

const STATUS = {
  next: { label: 'Next', help: 'published; signs from the next rotation on', color: 'info' },
  active: { label: 'Active', help: 'signs new tokens', color: 'success' },
  retired: { label: 'Retired', help: 'published until its tokens have expired', color: 'default' },
} as const;

/** The keys the JWKS publishes, and rotation: planned, or after a suspected leak. */
export function SigningKeysScreen() {
  const { tenant } = useSession();
  const qc = useQueryClient();
  const toast = useToast();
  const [rotating, setRotating] = useState<'planned' | 'compromised' | null>(null);
  const key = ['signing-keys', tenant];
  const q = useQuery({
    queryKey: key,
    queryFn: () => call(api.GET('/t/{tenant}/api/v1/signing-keys', { params: { path: { tenant } } })),
  });
  const rotate = useMutation({
    mutationFn: (compromised: boolean) =>
      call(api.POST('/t/{tenant}/api/v1/signing-keys/rotate', { params: { path: { tenant } }, body: { compromised } })),
    onSuccess: (r) => {
      qc.setQueryData(key, { items: r.items });
      toast(`Key ${r.kid} signs from now on.`);
      setRotating(null);
    },
    onError: (err) => {
      toast(messageOf(err), 'error');
      setRotating(null);
    },
  });
  const dt = (iso: string | null) => (iso ? formatDateTime(iso) : '—');
  return (
    <Box>
      <Box sx={{ display: 'flex', gap: 1, flexWrap: 'wrap', alignItems: 'center', mb: 2 }}>
        <Typography variant="h6" component="h2" sx={{ flexGrow: 1 }}>
          Signing keys
        </Typography>
        <Button variant="contained" onClick={() => setRotating('planned')}>
          ROTATE NOW
        </Button>
        <Button variant="outlined" color="error" onClick={() => setRotating('compromised')}>
          ROTATE AFTER A SUSPECTED LEAK
        </Button>
      </Box>
      {q.isPending ? <Loading label="Loading signing keys" /> : null}
      {q.isError ? <ErrorState error={q.error} retry={() => void q.refetch()} /> : null}
      {q.isSuccess ? (
        <Paper variant="outlined">
          {q.data.items.length === 0 ? (
            <EmptyState title="No signing keys yet">The first key is made when the first token is signed.</EmptyState>
          ) : (
            <TableContainer tabIndex={0} role="region" aria-label="Signing keys, scrollable">
              <Table size="small" aria-label="Signing keys">
                <TableHead>
                  <TableRow>
                    <TableCell>Key ID</TableCell>
                    <TableCell>Status</TableCell>
                    <TableCell>Created</TableCell>
                    <TableCell>Signing since</TableCell>
                    <TableCell>Retired</TableCell>
                    <TableCell>Leaves the JWKS</TableCell>
                  </TableRow>
                </TableHead>
                <TableBody>
                  {q.data.items.map((k) => (
                    <TableRow key={k.kid}>
                      <TableCell sx={{ wordBreak: 'break-all', maxWidth: 200 }}>
                        <code>{k.kid}</code>
                      </TableCell>
                      <TableCell sx={{ minWidth: 170 }}>
                        <Chip
                          size="small"
                          label={STATUS[k.status].label}
                          color={STATUS[k.status].color}
                          title={STATUS[k.status].help}
                        />
                        <Typography variant="caption" color="text.secondary" sx={{ display: 'block' }}>
                          {STATUS[k.status].help}
                        </Typography>
                      </TableCell>
                      <TableCell sx={{ whiteSpace: 'nowrap' }}>{dt(k.createdAt)}</TableCell>
                      <TableCell sx={{ whiteSpace: 'nowrap' }}>{dt(k.activatedAt)}</TableCell>
                      <TableCell sx={{ whiteSpace: 'nowrap' }}>{dt(k.retiredAt)}</TableCell>
                      <TableCell sx={{ whiteSpace: 'nowrap' }}>{dt(k.unpublishedAt)}</TableCell>
                    </TableRow>
                  ))}
                </TableBody>
              </Table>
            </TableContainer>
          )}
        </Paper>
      ) : null}
      <ConfirmDialog
        open={rotating === 'planned'}
        title="Rotate the signing key now?"
        confirmLabel="ROTATE"
        danger={false}
        busy={rotate.isPending}
        onClose={() => setRotating(null)}
        onConfirm={() => rotate.mutate(false)}
      >
        The next key signs new tokens from now on. The current key stays published until the tokens it signed have
        expired, so nothing stops working. Use it for a planned change of keys, e.g. a yearly policy.
      </ConfirmDialog>
      <ConfirmDialog
        open={rotating === 'compromised'}
        title="Rotate after a suspected leak?"
        confirmLabel="ROTATE AND REVOKE"
        busy={rotate.isPending}
        onClose={() => setRotating(null)}
        onConfirm={() => rotate.mutate(true)}
      >
        <Alert severity="warning" sx={{ mb: 1 }}>
          Use it only if a signing key may have leaked.
        </Alert>
        Every key of this domain (active, next and retired) leaves the JWKS and stops verifying at once; a fresh key
        signs.
        <strong> Every access token signed before is refused</strong>: applications and scripts must get new ones
        (refresh tokens keep working). APIs that verify tokens offline refuse them once they re-read the JWKS.
      </ConfirmDialog>
    </Box>
  );
}
