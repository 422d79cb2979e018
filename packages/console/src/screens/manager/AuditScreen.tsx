import { useState } from 'react';
import { Box, Paper, Table, TableBody, TableCell, TableContainer, TableHead, TableRow, TextField } from '@mui/material';
import { useQuery } from '@tanstack/react-query';
import { api, call } from '../../api/client';
import type { AuditEvent, AuditQuery } from '../../api/types';
import { useSession } from '../../session/session';
import { CursorPager, useCursorPages } from '../../components/CursorPager';
import { EmptyState, ErrorState, Loading, Refreshing } from '../../components/States';
import { useDebounced } from '../../components/useDebounced';
import { formatDateTime } from '../../components/format';

const dayStart = (d: string) => (d ? new Date(`${d}T00:00:00`).toISOString() : undefined);
const nextDayStart = (d: string) =>
  d ? new Date(new Date(`${d}T00:00:00`).getTime() + 86_400_000).toISOString() : undefined;

/** Details as "key: value" text, never raw JSON. */
function text(v: unknown): string {
  if (Array.isArray(v)) return v.length ? v.map(text).join(', ') : 'none';
  if (v && typeof v === 'object')
    return Object.entries(v)
      .map(([k, x]) => `${k} ${text(x)}`)
      .join(', ');
  return String(v);
}
function details(e: AuditEvent): string {
  return Object.entries(e.details)
    .map(([k, v]) => `${k}: ${text(v)}`)
    .join(' · ');
}

/** The domain's audit log, newest first, filtered by actor, action, target and date. */
export function AuditScreen() {
  const { tenant } = useSession();
  const pages = useCursorPages(50);
  const [actor, setActor] = useState('');
  const [action, setAction] = useState('');
  const [target, setTarget] = useState('');
  const [from, setFrom] = useState('');
  const [to, setTo] = useState('');
  const f = {
    actor: useDebounced(actor.trim()),
    action: useDebounced(action.trim()),
    target: useDebounced(target.trim()),
  };
  const query = Object.fromEntries(
    Object.entries({
      actorId: f.actor || undefined,
      action: f.action || undefined,
      targetId: f.target || undefined,
      from: dayStart(from),
      to: nextDayStart(to),
      limit: pages.limit,
      cursor: pages.cursor,
    }).filter(([, v]) => v !== undefined),
  ) as AuditQuery;
  const list = useQuery({
    queryKey: ['audit', tenant, query],
    queryFn: () => call(api.GET('/t/{tenant}/api/v1/audit', { params: { path: { tenant }, query } })),
    placeholderData: (prev) => prev,
  });
  const changed = (set: (v: string) => void) => (e: { target: { value: string } }) => {
    set(e.target.value);
    pages.reset();
  };
  const items = list.data?.items ?? [];
  return (
    <Box>
      <Box sx={{ display: 'flex', gap: 1.5, mb: 2, flexWrap: 'wrap' }}>
        <TextField size="small" label="Actor ID" value={actor} onChange={changed(setActor)} sx={{ width: 220 }} />
        <TextField
          size="small"
          label="Action"
          placeholder="e.g. user.invited"
          value={action}
          onChange={changed(setAction)}
          sx={{ width: 200 }}
        />
        <TextField size="small" label="Target ID" value={target} onChange={changed(setTarget)} sx={{ width: 220 }} />
        <TextField
          size="small"
          type="date"
          label="From"
          value={from}
          onChange={changed(setFrom)}
          slotProps={{ inputLabel: { shrink: true } }}
          sx={{ width: 170 }}
        />
        <TextField
          size="small"
          type="date"
          label="To"
          value={to}
          onChange={changed(setTo)}
          slotProps={{ inputLabel: { shrink: true } }}
          sx={{ width: 170 }}
        />
      </Box>
      {list.isPending ? <Loading label="Loading the audit log" /> : null}
      {list.isError ? <ErrorState error={list.error} retry={() => void list.refetch()} /> : null}
      {list.isSuccess ? (
        <Paper variant="outlined">
          <Refreshing active={list.isPlaceholderData} />
          {items.length === 0 ? (
            <EmptyState title="No events match">Change the filters.</EmptyState>
          ) : (
            <TableContainer>
              <Table size="small" aria-label="Audit log">
                <TableHead>
                  <TableRow>
                    <TableCell>When</TableCell>
                    <TableCell>Actor</TableCell>
                    <TableCell>Action</TableCell>
                    <TableCell>Target</TableCell>
                    <TableCell>Details</TableCell>
                  </TableRow>
                </TableHead>
                <TableBody>
                  {items.map((e) => (
                    <TableRow key={e.id}>
                      <TableCell sx={{ whiteSpace: 'nowrap' }}>{formatDateTime(e.at)}</TableCell>
                      <TableCell>
                        {e.actorType}
                        {e.actorId ? (
                          <Box component="code" sx={{ display: 'block', fontSize: 12 }}>
                            {e.actorId}
                          </Box>
                        ) : null}
                      </TableCell>
                      <TableCell>
                        <code>{e.action}</code>
                      </TableCell>
                      <TableCell>
                        {e.targetType ?? '—'}
                        {e.targetId ? (
                          <Box component="code" sx={{ display: 'block', fontSize: 12 }}>
                            {e.targetId}
                          </Box>
                        ) : null}
                      </TableCell>
                      <TableCell sx={{ fontSize: 13, color: 'text.secondary', maxWidth: 360, wordBreak: 'break-word' }}>
                        {details(e)}
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
    </Box>
  );
}
