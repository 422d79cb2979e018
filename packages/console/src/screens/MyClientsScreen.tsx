import { useState } from 'react';
import {
  Alert,
  Box,
  Button,
  Paper,
  Table,
  TableBody,
  TableCell,
  TableContainer,
  TableHead,
  TableRow,
  TableSortLabel,
  Typography,
} from '@mui/material';
import AddIcon from '@mui/icons-material/Add';
import type { Theme } from '@mui/material/styles';
import { visuallyHidden } from '@mui/utils';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { api, call } from '../api/client';
import { queryClient } from '../api/query-client';
import { messageOf } from '../api/problem';
import type { CreatedClient, OwnClient, OwnClientQuery, RotatedClient } from '../api/types';
import { useSession } from '../session/session';
import { useToast } from '../components/toasts';
import { CopyButton } from '../components/CopyButton';
import { ConfirmDialog } from '../components/ConfirmDialog';
import { RowMenu } from '../components/RowMenu';
import { CursorPager, useCursorPages } from '../components/CursorPager';
import { EmptyState, ErrorState, Loading, Refreshing } from '../components/States';
import { ExpiresCell, OldSecretUntil, ScopesCell, StatusBadge, LastUsedCell } from '../components/ClientCells';
import { RotateSecretDialog } from '../components/RotateSecretDialog';
import { formatDate } from '../components/format';
import { CreateClientDialog } from './CreateClientDialog';
import { SecretDialog } from './SecretDialog';

type Sort = NonNullable<OwnClientQuery['sort']>;
const FIRST_PAGE: OwnClientQuery = { sort: 'createdAt', order: 'desc', limit: 50 };

// One style rule set for the whole table instead of per-cell styles: 50 rows render fast.
export const ROW_STYLES = {
  '& tbody td': (theme: Theme) => ({
    ...theme.typography.body2,
    padding: '6px 16px',
    borderBottom: `1px solid ${theme.palette.divider}`,
    color: theme.palette.text.primary,
  }),
  '& tbody td.actions': { padding: '0 4px', width: 48 },
  '& tbody tr:hover': { bgcolor: 'action.hover' },
  '& td.name': { fontWeight: 500 },
  '& td.nowrap': { whiteSpace: 'nowrap' },
  '& td code': { fontSize: 13 },
  '& .expires': { whiteSpace: 'nowrap' },
  '& .expires-in': { display: 'flex', alignItems: 'center', gap: 0.5, fontSize: 13, color: 'text.secondary' },
  '& .expires-in.soon': { color: 'warning.main', fontWeight: 600 },
} as const;

export const myClientsQuery = (tenant: string, query: OwnClientQuery) => ({
  queryKey: ['my-clients', tenant, query],
  queryFn: () => call(api.GET('/t/{tenant}/api/v1/me/oauth2-clients', { params: { path: { tenant }, query } })),
});

/** Route loader: asks for the first page while the session is still being checked. */
export function prefetchMyClients(tenant: string): null {
  void queryClient.prefetchQuery(myClientsQuery(tenant, FIRST_PAGE));
  return null;
}
const COLUMNS: { key: Sort | null; label: string }[] = [
  { key: 'name', label: 'Name' },
  { key: 'clientId', label: 'Client ID' },
  { key: null, label: 'Scopes' },
  { key: 'createdAt', label: 'Created' },
  { key: 'expiresAt', label: 'Expires (UTC)' },
  { key: 'lastUsedAt', label: 'Last used' },
  { key: 'status', label: 'Status' },
];

function CannotCreate() {
  const { me, tenant } = useSession();
  const roles = useQuery({
    queryKey: ['roles', tenant],
    queryFn: () => call(api.GET('/t/{tenant}/api/v1/roles', { params: { path: { tenant } } })),
  });
  if (!me) return null;
  if (!me.tenant.enterpriseEnabled) {
    return (
      <Alert severity="info">
        Personal OAuth2 clients are not enabled for {me.tenant.name}. Ask the platform administrator to turn on
        enterprise features for this domain.
      </Alert>
    );
  }
  const role = roles.data?.items.find((r) => r.builtin === 'oauth2-client-creator')?.name ?? 'oauth2-client-creator';
  return (
    <Alert severity="info">
      You cannot create personal OAuth2 clients: your account does not have the role <strong>{role}</strong>. Ask a
      domain manager of {me.tenant.name} to give it to you (User &amp; Company Manager → Users → Edit roles).
    </Alert>
  );
}

export function MyClientsScreen() {
  const { me, tenant } = useSession();
  const qc = useQueryClient();
  const toast = useToast();
  const pages = useCursorPages(FIRST_PAGE.limit);
  const [sort, setSort] = useState<Sort>(FIRST_PAGE.sort!);
  const [order, setOrder] = useState<'asc' | 'desc'>(FIRST_PAGE.order!);
  const [creating, setCreating] = useState(false);
  const [created, setCreated] = useState<CreatedClient | null>(null);
  const [deleting, setDeleting] = useState<OwnClient | null>(null);
  const [rotating, setRotating] = useState<OwnClient | null>(null);
  const [rotated, setRotated] = useState<RotatedClient | null>(null);
  const canCreate = me?.canCreateClients ?? false;

  const query: OwnClientQuery = { sort, order, limit: pages.limit, ...(pages.cursor ? { cursor: pages.cursor } : {}) };
  const list = useQuery({ ...myClientsQuery(tenant, query), placeholderData: (prev) => prev });

  const remove = useMutation({
    mutationFn: (c: OwnClient) =>
      call(api.DELETE('/t/{tenant}/api/v1/me/oauth2-clients/{id}', { params: { path: { tenant, id: c.id } } })),
    onSuccess: (_, c) => {
      toast(`Client "${c.name}" deleted. Its secret no longer works.`);
      setDeleting(null);
      void qc.invalidateQueries({ queryKey: ['my-clients', tenant] });
    },
    onError: (err) => toast(messageOf(err), 'error'),
  });

  const rotate = useMutation({
    mutationFn: ({ c, overlapSeconds }: { c: OwnClient; overlapSeconds: number }) =>
      call(
        api.POST('/t/{tenant}/api/v1/me/oauth2-clients/{id}/rotate', {
          params: { path: { tenant, id: c.id } },
          body: { overlapSeconds },
        }),
      ),
    // The answer holds the secret: not kept in the mutation cache once the dialog is gone.
    gcTime: 0,
    onSuccess: (r) => {
      setRotating(null);
      setRotated(r);
      void qc.invalidateQueries({ queryKey: ['my-clients', tenant] });
    },
    onError: (err) => toast(messageOf(err), 'error'),
  });

  const sortBy = (key: Sort) => {
    if (key === sort) setOrder(order === 'asc' ? 'desc' : 'asc');
    else {
      setSort(key);
      setOrder('asc');
    }
    pages.reset();
  };

  const items = list.data?.items ?? [];
  const empty = list.isSuccess && items.length === 0 && pages.page === 1;

  return (
    <Box>
      <Box sx={{ display: 'flex', alignItems: 'center', gap: 2, mb: 2, flexWrap: 'wrap' }}>
        <Typography variant="h5" component="h1" sx={{ flexGrow: 1 }}>
          My OAuth2 clients
        </Typography>
        <Button variant="contained" startIcon={<AddIcon />} disabled={!canCreate} onClick={() => setCreating(true)}>
          CREATE CLIENT
        </Button>
      </Box>
      {!canCreate ? (
        <Box sx={{ mb: 2 }}>
          <CannotCreate />
        </Box>
      ) : null}
      {list.isPending ? <Loading label="Loading your clients" /> : null}
      {list.isError ? <ErrorState error={list.error} retry={() => void list.refetch()} /> : null}
      {empty ? (
        <Paper variant="outlined">
          <EmptyState
            title="You have no personal OAuth2 clients yet"
            action={
              canCreate ? (
                <Button variant="contained" startIcon={<AddIcon />} onClick={() => setCreating(true)}>
                  CREATE CLIENT
                </Button>
              ) : undefined
            }
          >
            A personal OAuth2 client is a client ID and secret for your scripts, the SDK and the CLI, used instead of
            your email and password. It has your permissions (all of them, or only the scopes you choose), never more,
            and stops working when it expires or when you delete it.
          </EmptyState>
        </Paper>
      ) : null}
      {list.isSuccess && !empty ? (
        <Paper variant="outlined">
          <Refreshing active={list.isPlaceholderData} />
          <TableContainer>
            <Table size="small" aria-label="My OAuth2 clients" sx={ROW_STYLES}>
              <TableHead>
                <TableRow>
                  {COLUMNS.map((c) => (
                    <TableCell key={c.label} sortDirection={c.key === sort ? order : false}>
                      {c.key ? (
                        <TableSortLabel
                          active={c.key === sort}
                          direction={c.key === sort ? order : 'asc'}
                          onClick={() => sortBy(c.key!)}
                        >
                          {c.label}
                        </TableSortLabel>
                      ) : (
                        c.label
                      )}
                    </TableCell>
                  ))}
                  <TableCell>
                    <Box component="span" sx={visuallyHidden}>
                      Actions
                    </Box>
                  </TableCell>
                </TableRow>
              </TableHead>
              <TableBody>
                {/* Plain rows styled by ROW_STYLES: a page of clients renders without a component per cell. */}
                {items.map((c) => (
                  <tr key={c.id}>
                    <td className="name">{c.name}</td>
                    <td className="nowrap">
                      <code>{c.clientId}</code>
                      <CopyButton value={c.clientId} label={`Copy client ID of ${c.name}`} />
                    </td>
                    <td>
                      <ScopesCell scopes={c.scopes} />
                    </td>
                    <td className="nowrap">{formatDate(c.createdAt)}</td>
                    <td>
                      <ExpiresCell iso={c.expiresAt} status={c.status} />
                    </td>
                    <td>
                      <LastUsedCell at={c.lastUsedAt} address={c.lastUsedAddress} userAgent={c.lastUsedUserAgent} />
                    </td>
                    <td>
                      <StatusBadge status={c.status} />
                      <OldSecretUntil at={c.previousSecretExpiresAt} />
                    </td>
                    <td className="actions">
                      <RowMenu
                        label={`Actions for ${c.name}`}
                        items={[
                          { label: 'Rotate secret', onClick: () => setRotating(c), disabled: c.status !== 'active' },
                          { label: 'Delete', onClick: () => setDeleting(c), disabled: c.status === 'revoked' },
                        ]}
                      />
                    </td>
                  </tr>
                ))}
              </TableBody>
            </Table>
          </TableContainer>
          <CursorPager pages={pages} nextCursor={list.data.nextCursor} shown={items.length} />
        </Paper>
      ) : null}

      {creating ? (
        <CreateClientDialog
          onClose={() => setCreating(false)}
          onCreated={(c) => {
            setCreating(false);
            setCreated(c);
            pages.reset();
            void qc.invalidateQueries({ queryKey: ['my-clients', tenant] });
          }}
        />
      ) : null}
      {/* The secret lives only in this state: CLOSE drops it, and nothing else holds it. */}
      {created ? (
        <SecretDialog
          client={created}
          onClose={() => {
            setCreated(null);
            toast(`Client "${created.name}" created.`);
          }}
        />
      ) : null}
      {rotating ? (
        <RotateSecretDialog
          title={`Rotate the secret of "${rotating.name}"?`}
          confirmLabel="ROTATE SECRET"
          busy={rotate.isPending}
          onClose={() => setRotating(null)}
          onConfirm={(overlapSeconds) => rotate.mutate({ c: rotating, overlapSeconds })}
          consequence={(until) =>
            until === null ? (
              <>
                Scripts and tools using the current secret of <strong>{rotating.name}</strong> stop working{' '}
                <strong>now</strong>, and so do the access tokens it obtained.
              </>
            ) : (
              <>
                Scripts and tools using the current secret keep working until <strong>{until}</strong>, then stop, with
                the access tokens it obtained. Replace the secret before then.
              </>
            )
          }
        >
          The client ID <code>{rotating.clientId}</code> stays the same; only the secret changes. The new secret is
          shown once.
        </RotateSecretDialog>
      ) : null}
      {/* Like a new client's: the new secret lives only in this state, and CLOSE drops it. */}
      {rotated ? (
        <SecretDialog
          client={rotated}
          rotated={rotated}
          onClose={() => {
            setRotated(null);
            toast(`Secret of "${rotated.name}" rotated.`);
          }}
        />
      ) : null}
      <ConfirmDialog
        open={deleting !== null}
        title={`Delete client "${deleting?.name ?? ''}"?`}
        confirmLabel="DELETE"
        busy={remove.isPending}
        onClose={() => setDeleting(null)}
        onConfirm={() => deleting && remove.mutate(deleting)}
      >
        Scripts and tools that use <strong>{deleting?.name}</strong> ({deleting?.clientId}) stop working at once: its
        tokens are refused from now on. This cannot be undone.
      </ConfirmDialog>
    </Box>
  );
}
