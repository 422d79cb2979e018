import { useState } from 'react';
import {
  Box,
  Button,
  Checkbox,
  MenuItem,
  Paper,
  Table,
  TableBody,
  TableCell,
  TableContainer,
  TableHead,
  TableRow,
  TextField,
  Typography,
} from '@mui/material';
import { visuallyHidden } from '@mui/utils';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { api, call } from '../../api/client';
import { messageOf } from '../../api/problem';
import type { ManagedClient, ManagedClientQuery, ManagedRotatedClient } from '../../api/types';
import { useSession } from '../../session/session';
import { useToast } from '../../components/toasts';
import { ConfirmDialog } from '../../components/ConfirmDialog';
import { RowMenu } from '../../components/RowMenu';
import { CursorPager, useCursorPages } from '../../components/CursorPager';
import { SortHeader, nextSort } from '../../components/SortHeader';
import { EmptyState, ErrorState, Loading, Refreshing } from '../../components/States';
import { ExpiresCell, OldSecretUntil, ScopesCell, StatusChip, LastUsedCell } from '../../components/ClientCells';
import { RotateSecretDialog } from '../../components/RotateSecretDialog';
import { SecretDialog } from '../SecretDialog';
import { ROW_STYLES } from '../MyClientsScreen';
import { useDebounced } from '../../components/useDebounced';
import { formatDate } from '../../components/format';
import { startOfNextUtcDay, startOfUtcDay } from '../../components/expiry-day';

type Sort = NonNullable<ManagedClientQuery['sort']>;
type Status = '' | 'active' | 'expired' | 'revoked';
/**
 * A yyyy-mm-dd filter as the bounds of the day its column shows (the upper bound exclusive, as the API
 * reads `…To`): creation and last use are shown in the viewer's time, so their filters take local days;
 * expiry dates are UTC days (components/expiry-day).
 */
const dayStart = (d: string) => (d ? new Date(`${d}T00:00:00`).toISOString() : undefined);
const nextDayStart = (d: string) => {
  if (!d) return undefined;
  const next = new Date(`${d}T00:00:00`);
  next.setDate(next.getDate() + 1); // a calendar day: 23 or 25 hours when the clocks change
  return next.toISOString();
};
const utcDayStart = (d: string) => (d ? startOfUtcDay(d).toISOString() : undefined);
const nextUtcDayStart = (d: string) => (d ? startOfNextUtcDay(d).toISOString() : undefined);

/** Every user's personal OAuth2 clients: sort, filter, page, revoke one or many, rotate a secret. */
export function ClientsScreen() {
  const { tenant } = useSession();
  const qc = useQueryClient();
  const toast = useToast();
  const pages = useCursorPages(50);
  const [owner, setOwner] = useState('');
  const [name, setName] = useState('');
  const [status, setStatus] = useState<Status>('');
  const [expiresFrom, setExpiresFrom] = useState('');
  const [expiresTo, setExpiresTo] = useState('');
  const [createdFrom, setCreatedFrom] = useState('');
  const [createdTo, setCreatedTo] = useState('');
  const [usedFrom, setUsedFrom] = useState('');
  const [usedTo, setUsedTo] = useState('');
  const [sorting, setSorting] = useState<{ sort: Sort; order: 'asc' | 'desc' }>({ sort: 'createdAt', order: 'desc' });
  const [selected, setSelected] = useState<Map<string, ManagedClient>>(new Map());
  const [confirming, setConfirming] = useState<ManagedClient[] | null>(null);
  const [rotating, setRotating] = useState<ManagedClient | null>(null);
  const [rotated, setRotated] = useState<ManagedRotatedClient | null>(null);
  const ownerQ = useDebounced(owner.trim());
  const nameQ = useDebounced(name.trim());

  const filters = {
    ...(ownerQ ? { ownerEmail: ownerQ } : {}),
    ...(nameQ ? { name: nameQ } : {}),
    ...(status ? { status } : {}),
    expiresFrom: utcDayStart(expiresFrom),
    expiresTo: nextUtcDayStart(expiresTo),
    createdFrom: dayStart(createdFrom),
    createdTo: nextDayStart(createdTo),
    lastUsedFrom: dayStart(usedFrom),
    lastUsedTo: nextDayStart(usedTo),
  };
  const query: ManagedClientQuery = Object.fromEntries(
    Object.entries({ ...filters, ...sorting, limit: pages.limit, cursor: pages.cursor }).filter(
      ([, v]) => v !== undefined,
    ),
  ) as ManagedClientQuery;
  const list = useQuery({
    queryKey: ['all-clients', tenant, query],
    queryFn: () => call(api.GET('/t/{tenant}/api/v1/oauth2-clients', { params: { path: { tenant }, query } })),
    placeholderData: (prev) => prev,
  });

  const revoke = useMutation({
    mutationFn: async (clients: ManagedClient[]) => {
      const failed: string[] = [];
      for (const c of clients) {
        try {
          await call(api.DELETE('/t/{tenant}/api/v1/oauth2-clients/{id}', { params: { path: { tenant, id: c.id } } }));
        } catch (err) {
          failed.push(`${c.name}: ${messageOf(err)}`);
        }
      }
      return { done: clients.length - failed.length, failed };
    },
    onSuccess: ({ done, failed }) => {
      if (failed.length) toast(`${done} revoked; ${failed.length} failed (${failed.join('; ')})`, 'error');
      else toast(done === 1 ? 'Client revoked.' : `${done} clients revoked.`);
      setConfirming(null);
      setSelected(new Map());
      void qc.invalidateQueries({ queryKey: ['all-clients', tenant] });
    },
  });

  const rotate = useMutation({
    mutationFn: ({ c, overlapSeconds }: { c: ManagedClient; overlapSeconds: number }) =>
      call(
        api.POST('/t/{tenant}/api/v1/oauth2-clients/{id}/rotate', {
          params: { path: { tenant, id: c.id } },
          body: { overlapSeconds },
        }),
      ),
    // The answer holds the secret: not kept in the mutation cache once the dialog is gone.
    gcTime: 0,
    onSuccess: (r) => {
      setRotating(null);
      setRotated(r);
      void qc.invalidateQueries({ queryKey: ['all-clients', tenant] });
    },
    onError: (err) => toast(messageOf(err), 'error'),
  });

  const changed =
    <T,>(set: (v: T) => void) =>
    (v: T) => {
      set(v);
      pages.reset();
      setSelected(new Map());
    };
  const onSort = (c: Sort) => {
    setSorting(nextSort(c, sorting.sort, sorting.order));
    pages.reset();
  };
  const items = list.data?.items ?? [];
  const selectable = items.filter((c) => c.status !== 'revoked');
  const allSelected = selectable.length > 0 && selectable.every((c) => selected.has(c.id));
  const toggleAll = () => setSelected(allSelected ? new Map() : new Map(selectable.map((c) => [c.id, c])));
  const toggle = (c: ManagedClient) =>
    setSelected((s) => {
      const n = new Map(s);
      if (n.has(c.id)) n.delete(c.id);
      else n.set(c.id, c);
      return n;
    });
  const date = (label: string, value: string, set: (v: string) => void) => (
    <TextField
      size="small"
      type="date"
      label={label}
      value={value}
      onChange={(e) => changed(set)(e.target.value)}
      slotProps={{ inputLabel: { shrink: true } }}
      sx={{ width: 170 }}
    />
  );

  return (
    <Box>
      <Box sx={{ display: 'flex', gap: 1.5, mb: 2, flexWrap: 'wrap' }}>
        <TextField
          size="small"
          label="Owner email"
          value={owner}
          onChange={(e) => changed(setOwner)(e.target.value)}
          sx={{ width: 220 }}
        />
        <TextField
          size="small"
          label="Name contains"
          value={name}
          onChange={(e) => changed(setName)(e.target.value)}
          sx={{ width: 180 }}
        />
        <TextField
          size="small"
          select
          label="Status"
          value={status}
          onChange={(e) => changed(setStatus)(e.target.value as Status)}
          sx={{ width: 140 }}
        >
          <MenuItem value="">Not revoked</MenuItem>
          <MenuItem value="active">Active</MenuItem>
          <MenuItem value="expired">Expired</MenuItem>
          <MenuItem value="revoked">Revoked</MenuItem>
        </TextField>
        {date('Expires after (UTC)', expiresFrom, setExpiresFrom)}
        {date('Expires before (UTC)', expiresTo, setExpiresTo)}
        {date('Created after', createdFrom, setCreatedFrom)}
        {date('Created before', createdTo, setCreatedTo)}
        {date('Last used after', usedFrom, setUsedFrom)}
        {date('Last used before', usedTo, setUsedTo)}
      </Box>
      <Box sx={{ display: 'flex', alignItems: 'center', gap: 2, mb: 1, minHeight: 40 }}>
        <Typography variant="body2" color="text.secondary" sx={{ flexGrow: 1 }} aria-live="polite">
          {selected.size ? `${selected.size} selected` : 'Select clients to revoke several at once.'}
        </Typography>
        <Button
          variant="contained"
          color="error"
          disabled={selected.size === 0}
          onClick={() => setConfirming([...selected.values()])}
        >
          REVOKE SELECTED
        </Button>
      </Box>
      {list.isPending ? <Loading label="Loading clients" /> : null}
      {list.isError ? <ErrorState error={list.error} retry={() => void list.refetch()} /> : null}
      {list.isSuccess ? (
        <Paper variant="outlined">
          <Refreshing active={list.isPlaceholderData} />
          {items.length === 0 ? (
            <EmptyState title="No clients match">
              Personal OAuth2 clients that users of this domain create show up here.
            </EmptyState>
          ) : (
            <TableContainer>
              <Table size="small" aria-label="OAuth2 clients of all users" sx={ROW_STYLES}>
                <TableHead>
                  <TableRow>
                    <TableCell padding="checkbox">
                      <Checkbox
                        checked={allSelected}
                        indeterminate={selected.size > 0 && !allSelected}
                        onChange={toggleAll}
                        slotProps={{ input: { 'aria-label': 'Select all clients on this page' } }}
                      />
                    </TableCell>
                    <SortHeader label="Name" column="name" {...sorting} onSort={onSort} />
                    <SortHeader label="Owner" column="owner" {...sorting} onSort={onSort} />
                    <SortHeader label="Client ID" column="clientId" {...sorting} onSort={onSort} />
                    <TableCell>Scopes</TableCell>
                    <SortHeader label="Created" column="createdAt" {...sorting} onSort={onSort} />
                    <SortHeader label="Expires (UTC)" column="expiresAt" {...sorting} onSort={onSort} />
                    <SortHeader label="Last used" column="lastUsedAt" {...sorting} onSort={onSort} />
                    <SortHeader label="Status" column="status" {...sorting} onSort={onSort} />
                    <TableCell>
                      <Box component="span" sx={visuallyHidden}>
                        Actions
                      </Box>
                    </TableCell>
                  </TableRow>
                </TableHead>
                <TableBody>
                  {items.map((c) => (
                    <TableRow key={c.id} hover selected={selected.has(c.id)}>
                      <TableCell padding="checkbox">
                        <Checkbox
                          checked={selected.has(c.id)}
                          disabled={c.status === 'revoked'}
                          onChange={() => toggle(c)}
                          slotProps={{ input: { 'aria-label': `Select ${c.name} of ${c.owner.email ?? c.owner.id}` } }}
                        />
                      </TableCell>
                      <TableCell className="name">{c.name}</TableCell>
                      <TableCell>{c.owner.email ?? c.owner.id}</TableCell>
                      <TableCell>
                        <code>{c.clientId}</code>
                      </TableCell>
                      <TableCell>
                        <ScopesCell scopes={c.scopes} />
                      </TableCell>
                      <TableCell className="nowrap">{formatDate(c.createdAt)}</TableCell>
                      <TableCell>
                        <ExpiresCell iso={c.expiresAt} status={c.status} />
                      </TableCell>
                      <TableCell>
                        <LastUsedCell at={c.lastUsedAt} address={c.lastUsedAddress} userAgent={c.lastUsedUserAgent} />
                      </TableCell>
                      <TableCell>
                        <StatusChip status={c.status} />
                        <OldSecretUntil at={c.previousSecretExpiresAt} />
                      </TableCell>
                      <TableCell padding="checkbox">
                        <RowMenu
                          label={`Actions for ${c.name} of ${c.owner.email ?? c.owner.id}`}
                          items={[
                            { label: 'Rotate secret', onClick: () => setRotating(c), disabled: c.status !== 'active' },
                            { label: 'Delete', onClick: () => setConfirming([c]), disabled: c.status === 'revoked' },
                          ]}
                        />
                      </TableCell>
                    </TableRow>
                  ))}
                </TableBody>
              </Table>
            </TableContainer>
          )}
          <CursorPager pages={pages} nextCursor={list.data.nextCursor} shown={items.length} />
        </Paper>
      ) : null}
      <ConfirmDialog
        open={confirming !== null}
        busy={revoke.isPending}
        confirmLabel={confirming?.length === 1 ? 'DELETE' : 'REVOKE'}
        title={
          confirming?.length === 1
            ? `Delete client "${confirming[0]!.name}"?`
            : `Revoke ${confirming?.length ?? 0} clients?`
        }
        onClose={() => setConfirming(null)}
        onConfirm={() => confirming && revoke.mutate(confirming)}
      >
        {confirming?.length === 1 ? (
          <>
            The client of {confirming[0]!.owner.email ?? 'its owner'} stops working at once. The owner sees that a
            domain manager revoked it.
          </>
        ) : (
          <>
            These clients stop working at once:{' '}
            {confirming
              ?.slice(0, 5)
              .map((c) => `"${c.name}" (${c.owner.email ?? c.owner.id})`)
              .join(', ')}
            {(confirming?.length ?? 0) > 5 ? ` and ${confirming!.length - 5} more` : ''}.
          </>
        )}
      </ConfirmDialog>
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
                Scripts and tools of {rotating.owner.email ?? 'its owner'} using the current secret stop working{' '}
                <strong>now</strong>, and so do the access tokens it obtained.
              </>
            ) : (
              <>
                Scripts and tools of {rotating.owner.email ?? 'its owner'} using the current secret keep working until{' '}
                <strong>{until}</strong>, then stop, with the access tokens it obtained.
              </>
            )
          }
        >
          The client ID <code>{rotating.clientId}</code> stays the same. The new secret is shown to you once: hand it to
          the owner over a safe channel. The owner is told by email that a domain manager rotated it.
        </RotateSecretDialog>
      ) : null}
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
    </Box>
  );
}
