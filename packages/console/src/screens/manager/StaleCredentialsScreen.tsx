import { useState } from 'react';
import {
  Box,
  Checkbox,
  Chip,
  FormControlLabel,
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
import { useQuery } from '@tanstack/react-query';
import { Link } from 'react-router';
import { api, call } from '../../api/client';
import type { paths } from '../../api/schema';
import { useSession } from '../../session/session';
import { CursorPager, useCursorPages } from '../../components/CursorPager';
import { SortHeader, nextSort } from '../../components/SortHeader';
import { EmptyState, ErrorState, Loading, Refreshing } from '../../components/States';
import { formatDate, formatDateTime } from '../../components/format';
import { describeExpiry, formatExpiryDate } from '../../components/expiry-day';
import { ROW_STYLES } from '../MyClientsScreen';
import { tenantBase } from '../../site';

type StaleQuery = NonNullable<paths['/t/{tenant}/api/v1/stale-credentials']['get']['parameters']['query']>;
type Sort = NonNullable<StaleQuery['sort']>;
const REASON = { never_used: 'Never used', unused: 'Unused', expiring: 'Expiring soon' } as const;
const days = (s: string) => (/^\d+$/.test(s) ? Number(s) : undefined);

/** Personal clients and applications worth a look: never used, unused for N days, or expiring within N days. */
export function StaleCredentialsScreen() {
  const { tenant } = useSession();
  const pages = useCursorPages(50);
  const [neverUsed, setNeverUsed] = useState(true);
  const [unused, setUnused] = useState(true);
  const [unusedDays, setUnusedDays] = useState('90');
  const [expiring, setExpiring] = useState(true);
  const [expiringDays, setExpiringDays] = useState('14');
  const [kind, setKind] = useState<'' | 'personal' | 'app'>('');
  const [sorting, setSorting] = useState<{ sort: Sort; order: 'asc' | 'desc' }>({ sort: 'expiresAt', order: 'asc' });

  const query: StaleQuery = Object.fromEntries(
    Object.entries({
      neverUsed: neverUsed || undefined,
      unusedDays: unused ? days(unusedDays) : undefined,
      expiringWithinDays: expiring ? days(expiringDays) : undefined,
      kind: kind || undefined,
      ...sorting,
      limit: pages.limit,
      cursor: pages.cursor,
    }).filter(([, v]) => v !== undefined),
  ) as StaleQuery;
  const asked = query.neverUsed || query.unusedDays !== undefined || query.expiringWithinDays !== undefined;
  const list = useQuery({
    queryKey: ['stale-credentials', tenant, query],
    queryFn: () => call(api.GET('/t/{tenant}/api/v1/stale-credentials', { params: { path: { tenant }, query } })),
    placeholderData: (prev) => prev,
    enabled: asked,
  });
  const changed =
    <T,>(set: (v: T) => void) =>
    (v: T) => {
      set(v);
      pages.reset();
    };
  const onSort = (c: Sort) => {
    setSorting(nextSort(c, sorting.sort, sorting.order));
    pages.reset();
  };
  const items = list.data?.items ?? [];
  const base = `${tenantBase(tenant)}/manage`;

  return (
    <Box>
      <Typography variant="body2" color="text.secondary" sx={{ mb: 1.5 }}>
        Personal OAuth2 clients and applications that meet any of the conditions you tick. Revoke or delete them from
        their own tabs.
      </Typography>
      <Box sx={{ display: 'flex', gap: 2, mb: 2, flexWrap: 'wrap', alignItems: 'center' }}>
        <FormControlLabel
          control={<Checkbox checked={neverUsed} onChange={(e) => changed(setNeverUsed)(e.target.checked)} />}
          label="Never used"
        />
        <Box sx={{ display: 'flex', alignItems: 'center' }}>
          <FormControlLabel
            control={<Checkbox checked={unused} onChange={(e) => changed(setUnused)(e.target.checked)} />}
            label="Unused for"
            sx={{ mr: 1 }}
          />
          <TextField
            size="small"
            type="number"
            label="days"
            value={unusedDays}
            disabled={!unused}
            onChange={(e) => changed(setUnusedDays)(e.target.value)}
            error={unused && days(unusedDays) === undefined}
            slotProps={{ htmlInput: { min: 0, 'aria-label': 'Unused for at least this many days' } }}
            sx={{ width: 90 }}
          />
        </Box>
        <Box sx={{ display: 'flex', alignItems: 'center' }}>
          <FormControlLabel
            control={<Checkbox checked={expiring} onChange={(e) => changed(setExpiring)(e.target.checked)} />}
            label="Expiring within"
            sx={{ mr: 1 }}
          />
          <TextField
            size="small"
            type="number"
            label="days"
            value={expiringDays}
            disabled={!expiring}
            onChange={(e) => changed(setExpiringDays)(e.target.value)}
            error={expiring && days(expiringDays) === undefined}
            slotProps={{ htmlInput: { min: 0, 'aria-label': 'Expiring within this many days' } }}
            sx={{ width: 90 }}
          />
        </Box>
        <TextField
          size="small"
          select
          label="Kind"
          value={kind}
          onChange={(e) => changed(setKind)(e.target.value as typeof kind)}
          slotProps={{ select: { displayEmpty: true }, inputLabel: { shrink: true } }}
          sx={{ width: 170 }}
        >
          <MenuItem value="">All credentials</MenuItem>
          <MenuItem value="personal">Personal clients</MenuItem>
          <MenuItem value="app">Applications</MenuItem>
        </TextField>
      </Box>
      {!asked ? (
        <EmptyState title="Tick a condition">
          Choose what makes a credential stale: never used, unused for some days, or expiring soon.
        </EmptyState>
      ) : null}
      {asked && list.isPending ? <Loading label="Loading stale credentials" /> : null}
      {asked && list.isError ? <ErrorState error={list.error} retry={() => void list.refetch()} /> : null}
      {asked && list.isSuccess ? (
        <Paper variant="outlined">
          <Refreshing active={list.isPlaceholderData} />
          {items.length === 0 ? (
            <EmptyState title="Nothing stale">No personal client or application meets these conditions.</EmptyState>
          ) : (
            <TableContainer>
              <Table size="small" aria-label="Stale credentials" sx={ROW_STYLES}>
                <TableHead>
                  <TableRow>
                    <TableCell>Kind</TableCell>
                    <TableCell>Name</TableCell>
                    <TableCell>Owner</TableCell>
                    <TableCell>Client ID</TableCell>
                    <SortHeader label="Created" column="createdAt" {...sorting} onSort={onSort} />
                    <SortHeader label="Last used" column="lastUsedAt" {...sorting} onSort={onSort} />
                    <SortHeader label="Expires (UTC)" column="expiresAt" {...sorting} onSort={onSort} />
                    <TableCell>Why</TableCell>
                  </TableRow>
                </TableHead>
                <TableBody>
                  {items.map((c) => (
                    <TableRow key={c.id} hover>
                      <TableCell className="nowrap">{c.kind === 'app' ? 'Application' : 'Personal'}</TableCell>
                      <TableCell className="name nowrap">
                        {c.kind === 'app' ? <Link to={`${base}/apps/${c.id}`}>{c.name}</Link> : c.name}
                      </TableCell>
                      <TableCell>{c.owner ? (c.owner.email ?? c.owner.id) : '—'}</TableCell>
                      <TableCell>
                        <code>{c.clientId}</code>
                      </TableCell>
                      <TableCell className="nowrap">{formatDate(c.createdAt)}</TableCell>
                      <TableCell className="nowrap" title={c.lastUsedUserAgent ?? undefined}>
                        {c.lastUsedAt ? (
                          <>
                            {formatDateTime(c.lastUsedAt)}
                            {c.lastUsedAddress ? (
                              <Typography variant="caption" component="div" color="text.secondary">
                                from {c.lastUsedAddress}
                              </Typography>
                            ) : null}
                          </>
                        ) : (
                          'Never'
                        )}
                      </TableCell>
                      <TableCell className="nowrap">
                        {c.expiresAt ? (
                          <span title={describeExpiry(c.expiresAt)}>{formatExpiryDate(c.expiresAt)}</span>
                        ) : (
                          'Never'
                        )}
                      </TableCell>
                      <TableCell className="reasons">
                        {c.reasons.map((r) => (
                          <Chip
                            key={r}
                            size="small"
                            label={REASON[r]}
                            color={r === 'expiring' ? 'warning' : 'default'}
                            sx={{ mr: 0.5 }}
                          />
                        ))}
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
