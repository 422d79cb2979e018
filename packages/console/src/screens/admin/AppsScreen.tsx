import { useState } from 'react';
import {
  Box,
  Button,
  Chip,
  Link as MuiLink,
  MenuItem,
  Paper,
  Table,
  TableBody,
  TableCell,
  TableContainer,
  TableHead,
  TableRow,
  TextField,
} from '@mui/material';
import AddIcon from '@mui/icons-material/Add';
import { useQuery, useQueryClient } from '@tanstack/react-query';
import { Link, useNavigate } from 'react-router';
import { api, call } from '../../api/client';
import type { AppQuery, CreatedApp } from '../../api/types';
import { useSession } from '../../session/session';
import { useToast } from '../../components/toasts';
import { CopyButton } from '../../components/CopyButton';
import { CursorPager, useCursorPages } from '../../components/CursorPager';
import { SortHeader, nextSort } from '../../components/SortHeader';
import { EmptyState, ErrorState, Loading, Refreshing } from '../../components/States';
import { useDebounced } from '../../components/useDebounced';
import { formatDate } from '../../components/format';
import { LastUsedCell } from '../../components/ClientCells';
import { CreateAppWizard } from './CreateAppWizard';
import { AppSecretDialog } from './AppSecretDialog';
import { grantLabel } from './grants';
import { tenantBase } from '../../site';

type Sort = NonNullable<AppQuery['sort']>;

export function AppStatusChip({ status }: { status: 'active' | 'inactive' }) {
  return (
    <Chip
      size="small"
      label={status === 'active' ? 'Active' : 'Inactive'}
      color={status === 'active' ? 'success' : 'default'}
      variant={status === 'active' ? 'filled' : 'outlined'}
    />
  );
}

/** Confidential applications of the domain: search, status filter, sort, pages; "+ ADD" opens the wizard. */
export function AppsScreen() {
  const { tenant } = useSession();
  const qc = useQueryClient();
  const toast = useToast();
  const navigate = useNavigate();
  const pages = useCursorPages(50);
  const [q, setQ] = useState('');
  const [status, setStatus] = useState<'' | 'active' | 'inactive'>('');
  const [sorting, setSorting] = useState<{ sort: Sort; order: 'asc' | 'desc' }>({ sort: 'name', order: 'asc' });
  const [adding, setAdding] = useState(false);
  const [created, setCreated] = useState<CreatedApp | null>(null);
  const search = useDebounced(q.trim());
  const query: AppQuery = {
    ...sorting,
    limit: pages.limit,
    ...(search ? { q: search } : {}),
    ...(status ? { status } : {}),
    ...(pages.cursor ? { cursor: pages.cursor } : {}),
  };
  const list = useQuery({
    queryKey: ['apps', tenant, query],
    queryFn: () => call(api.GET('/t/{tenant}/api/v1/apps', { params: { path: { tenant }, query } })),
    placeholderData: (prev) => prev,
  });
  const onSort = (c: Sort) => {
    setSorting(nextSort(c, sorting.sort, sorting.order));
    pages.reset();
  };
  const items = list.data?.items ?? [];
  const filtered = !!search || !!status;
  const base = `${tenantBase(tenant)}/manage/apps`;

  return (
    <Box>
      <Box sx={{ display: 'flex', gap: 2, mb: 2, flexWrap: 'wrap', alignItems: 'center' }}>
        <TextField
          size="small"
          label="Search applications"
          value={q}
          onChange={(e) => {
            setQ(e.target.value);
            pages.reset();
          }}
          sx={{ minWidth: 220, flexGrow: 1 }}
        />
        <TextField
          size="small"
          select
          label="Status"
          value={status}
          onChange={(e) => {
            setStatus(e.target.value as typeof status);
            pages.reset();
          }}
          sx={{ width: 140 }}
        >
          <MenuItem value="">All</MenuItem>
          <MenuItem value="active">Active</MenuItem>
          <MenuItem value="inactive">Inactive</MenuItem>
        </TextField>
        <Button variant="contained" startIcon={<AddIcon />} onClick={() => setAdding(true)}>
          ADD
        </Button>
      </Box>
      {list.isPending ? <Loading label="Loading applications" /> : null}
      {list.isError ? <ErrorState error={list.error} retry={() => void list.refetch()} /> : null}
      {list.isSuccess ? (
        <Paper variant="outlined">
          <Refreshing active={list.isPlaceholderData} />
          {items.length === 0 ? (
            filtered ? (
              <EmptyState title="No applications match">Change the search or the status filter.</EmptyState>
            ) : (
              <EmptyState
                title="No applications yet"
                action={
                  <Button variant="contained" startIcon={<AddIcon />} onClick={() => setAdding(true)}>
                    ADD
                  </Button>
                }
              >
                A confidential application is a service with its own client ID and secret. It gets tokens for the scopes
                you allow, and you can hand its developers a token file.
              </EmptyState>
            )
          ) : (
            <TableContainer>
              <Table size="small" aria-label="Applications">
                <TableHead>
                  <TableRow>
                    <SortHeader label="Name" column="name" {...sorting} onSort={onSort} />
                    <TableCell>Client ID</TableCell>
                    <TableCell>Grants</TableCell>
                    <TableCell>Scopes</TableCell>
                    <TableCell>Status</TableCell>
                    <SortHeader label="Created" column="createdAt" {...sorting} onSort={onSort} />
                    <SortHeader label="Last used" column="lastUsedAt" {...sorting} onSort={onSort} />
                  </TableRow>
                </TableHead>
                <TableBody>
                  {items.map((a) => (
                    <TableRow key={a.id} hover>
                      <TableCell sx={{ fontWeight: 500 }}>
                        <MuiLink component={Link} to={`${base}/${a.id}`}>
                          {a.name}
                        </MuiLink>
                      </TableCell>
                      <TableCell sx={{ whiteSpace: 'nowrap' }}>
                        <code>{a.clientId}</code>
                        <CopyButton value={a.clientId} label={`Copy client ID of ${a.name}`} />
                      </TableCell>
                      <TableCell>{a.grantTypes.map(grantLabel).join(', ')}</TableCell>
                      <TableCell>
                        <code>{a.scopes.join(' ') || '—'}</code>
                      </TableCell>
                      <TableCell>
                        <AppStatusChip status={a.status} />
                      </TableCell>
                      <TableCell sx={{ whiteSpace: 'nowrap' }}>{formatDate(a.createdAt)}</TableCell>
                      <TableCell>
                        <LastUsedCell at={a.lastUsedAt} address={a.lastUsedAddress} userAgent={a.lastUsedUserAgent} />
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
      {adding ? (
        <CreateAppWizard
          onClose={() => setAdding(false)}
          onCreated={(a) => {
            setAdding(false);
            setCreated(a);
            void qc.invalidateQueries({ queryKey: ['apps', tenant] });
          }}
        />
      ) : null}
      {/* The secret lives only in this state: CLOSE drops it and opens the application's page. */}
      {created ? (
        <AppSecretDialog
          app={created}
          title={`Application "${created.name}" created`}
          onClose={() => {
            const id = created.id;
            setCreated(null);
            toast(`Application "${created.name}" created.`);
            navigate(`${base}/${id}`);
          }}
        />
      ) : null}
    </Box>
  );
}
