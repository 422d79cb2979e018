import { useState, type FormEvent } from 'react';
import {
  Alert,
  Box,
  Button,
  Checkbox,
  Chip,
  Dialog,
  DialogActions,
  DialogContent,
  DialogTitle,
  FormControlLabel,
  FormGroup,
  FormLabel,
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
  Typography,
} from '@mui/material';
import PersonAdd from '@mui/icons-material/PersonAdd';
import { visuallyHidden } from '@mui/utils';
import { Link, useSearchParams } from 'react-router';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { api, call } from '../../api/client';
import { messageOf } from '../../api/problem';
import type { Role, User, UserQuery } from '../../api/types';
import { useSession } from '../../session/session';
import { useToast } from '../../components/toasts';
import { ConfirmDialog } from '../../components/ConfirmDialog';
import { RowMenu } from '../../components/RowMenu';
import { CursorPager, useCursorPages } from '../../components/CursorPager';
import { SortHeader, nextSort } from '../../components/SortHeader';
import { EmptyState, ErrorState, Loading, Refreshing } from '../../components/States';
import { useDebounced } from '../../components/useDebounced';
import { formatDate } from '../../components/format';
import { tenantBase } from '../../site';

type Sort = NonNullable<UserQuery['sort']>;

function RolePicker({ roles, value, onChange }: { roles: Role[]; value: string[]; onChange(ids: string[]): void }) {
  const { tenant } = useSession();
  return (
    <Box component="fieldset" sx={{ border: 0, p: 0, m: 0 }}>
      <FormLabel component="legend">Roles</FormLabel>
      <FormGroup>
        {roles.map((r) => (
          <FormControlLabel
            key={r.id}
            sx={{ alignItems: 'flex-start', mt: 0.5 }}
            label={
              <span>
                {r.name}
                {r.builtin === 'oauth2-client-creator'
                  ? ' (may create personal OAuth2 clients)'
                  : r.builtin === 'domain-manager'
                    ? ' (User & Company Manager)'
                    : ''}
                <Typography component="span" variant="body2" color="text.secondary" sx={{ display: 'block' }}>
                  {r.scopes.length ? `Grants ${r.scopes.join(', ')}` : 'Grants no scopes'}
                </Typography>
              </span>
            }
            control={
              <Checkbox
                sx={{ pt: 0.25 }}
                checked={value.includes(r.id)}
                onChange={(e) => onChange(e.target.checked ? [...value, r.id] : value.filter((x) => x !== r.id))}
              />
            }
          />
        ))}
      </FormGroup>
      <Typography variant="body2" color="text.secondary" sx={{ mt: 1 }}>
        Roles and the scopes they grant are made under{' '}
        <MuiLink component={Link} to={`${tenantBase(tenant)}/manage/roles`}>
          Roles
        </MuiLink>
        .
      </Typography>
    </Box>
  );
}

function InviteDialog({ roles, onClose }: { roles: Role[]; onClose(): void }) {
  const { tenant } = useSession();
  const qc = useQueryClient();
  const toast = useToast();
  const [email, setEmail] = useState('');
  const [displayName, setDisplayName] = useState('');
  const [password, setPassword] = useState('');
  const [roleIds, setRoleIds] = useState<string[]>([]);
  const invite = useMutation({
    mutationFn: () =>
      call(
        api.POST('/t/{tenant}/api/v1/users', {
          params: { path: { tenant } },
          body: {
            email: email.trim(),
            ...(displayName.trim() ? { displayName: displayName.trim() } : {}),
            ...(password ? { password } : {}),
            roleIds,
          },
        }),
      ),
    onSuccess: (u) => {
      toast(`${u.email} invited.`);
      void qc.invalidateQueries({ queryKey: ['users', tenant] });
      onClose();
    },
  });
  const submit = (e: FormEvent) => {
    e.preventDefault();
    if (email.trim()) invite.mutate();
  };
  return (
    <Dialog
      open
      onClose={invite.isPending ? undefined : onClose}
      aria-labelledby="invite-title"
      fullWidth
      maxWidth="sm"
    >
      <form onSubmit={submit} noValidate>
        <DialogTitle id="invite-title">Invite a user</DialogTitle>
        <DialogContent sx={{ display: 'flex', flexDirection: 'column', gap: 2 }}>
          {invite.isError ? <Alert severity="error">{messageOf(invite.error)}</Alert> : null}
          <TextField
            label="Email"
            type="email"
            required
            autoFocus
            value={email}
            onChange={(e) => setEmail(e.target.value)}
            sx={{ mt: 1 }}
          />
          <TextField label="Display name" value={displayName} onChange={(e) => setDisplayName(e.target.value)} />
          <TextField
            label="Initial password"
            type="password"
            autoComplete="new-password"
            value={password}
            onChange={(e) => setPassword(e.target.value)}
            helperText="Leave empty for people who sign in with single sign-on."
          />
          <RolePicker roles={roles} value={roleIds} onChange={setRoleIds} />
        </DialogContent>
        <DialogActions>
          <Button onClick={onClose} disabled={invite.isPending}>
            CANCEL
          </Button>
          <Button type="submit" variant="contained" disabled={invite.isPending || !email.trim()}>
            INVITE
          </Button>
        </DialogActions>
      </form>
    </Dialog>
  );
}

function RolesDialog({ user, roles, onClose }: { user: User; roles: Role[]; onClose(): void }) {
  const { tenant } = useSession();
  const qc = useQueryClient();
  const toast = useToast();
  const [roleIds, setRoleIds] = useState(user.roles.map((r) => r.id));
  const save = useMutation({
    mutationFn: () =>
      call(
        api.PATCH('/t/{tenant}/api/v1/users/{id}', { params: { path: { tenant, id: user.id } }, body: { roleIds } }),
      ),
    onSuccess: () => {
      toast(`Roles of ${user.email} saved.`);
      void qc.invalidateQueries({ queryKey: ['users', tenant] });
      onClose();
    },
  });
  return (
    <Dialog open onClose={save.isPending ? undefined : onClose} aria-labelledby="roles-title" fullWidth maxWidth="sm">
      <DialogTitle id="roles-title">Roles of {user.email}</DialogTitle>
      <DialogContent sx={{ display: 'flex', flexDirection: 'column', gap: 2 }}>
        {save.isError ? <Alert severity="error">{messageOf(save.error)}</Alert> : null}
        <RolePicker roles={roles} value={roleIds} onChange={setRoleIds} />
      </DialogContent>
      <DialogActions>
        <Button onClick={onClose} disabled={save.isPending}>
          CANCEL
        </Button>
        <Button variant="contained" onClick={() => save.mutate()} disabled={save.isPending}>
          SAVE
        </Button>
      </DialogActions>
    </Dialog>
  );
}

export function UsersScreen() {
  const { tenant, me } = useSession();
  const qc = useQueryClient();
  const toast = useToast();
  const pages = useCursorPages(50);
  const [q, setQ] = useState('');
  const [status, setStatus] = useState<'' | 'active' | 'disabled'>('');
  // The Roles screen links here with ?role=… to show who holds a role.
  const [searchParams] = useSearchParams();
  const [role, setRole] = useState(searchParams.get('role') ?? '');
  const [sorting, setSorting] = useState<{ sort: Sort; order: 'asc' | 'desc' }>({ sort: 'email', order: 'asc' });
  const [inviting, setInviting] = useState(false);
  const [editing, setEditing] = useState<User | null>(null);
  const [toggling, setToggling] = useState<User | null>(null);
  const search = useDebounced(q.trim());

  const roles = useQuery({
    queryKey: ['roles', tenant],
    queryFn: () => call(api.GET('/t/{tenant}/api/v1/roles', { params: { path: { tenant } } })),
  });
  const query: UserQuery = {
    ...sorting,
    limit: pages.limit,
    ...(search ? { q: search } : {}),
    ...(status ? { status } : {}),
    ...(role ? { roleId: role } : {}),
    ...(pages.cursor ? { cursor: pages.cursor } : {}),
  };
  const list = useQuery({
    queryKey: ['users', tenant, query],
    queryFn: () => call(api.GET('/t/{tenant}/api/v1/users', { params: { path: { tenant }, query } })),
    placeholderData: (prev) => prev,
  });
  const toggle = useMutation({
    mutationFn: (u: User) =>
      call(
        api.PATCH('/t/{tenant}/api/v1/users/{id}', {
          params: { path: { tenant, id: u.id } },
          body: { status: u.status === 'active' ? 'disabled' : 'active' },
        }),
      ),
    onSuccess: (u) => {
      toast(`${u.email} ${u.status === 'active' ? 'enabled' : 'disabled'}.`);
      setToggling(null);
      void qc.invalidateQueries({ queryKey: ['users', tenant] });
    },
    onError: (err) => {
      toast(messageOf(err), 'error');
      setToggling(null);
    },
  });

  const onSort = (c: Sort) => {
    setSorting(nextSort(c, sorting.sort, sorting.order));
    pages.reset();
  };
  const items = list.data?.items ?? [];

  return (
    <Box>
      <Box sx={{ display: 'flex', gap: 2, mb: 2, flexWrap: 'wrap', alignItems: 'center' }}>
        <TextField
          size="small"
          label="Search name or email"
          value={q}
          onChange={(e) => {
            setQ(e.target.value);
            pages.reset();
          }}
          sx={{ minWidth: 240, flexGrow: 1 }}
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
          <MenuItem value="disabled">Disabled</MenuItem>
        </TextField>
        <TextField
          size="small"
          select
          label="Role"
          value={role}
          onChange={(e) => {
            setRole(e.target.value);
            pages.reset();
          }}
          sx={{ width: 200 }}
        >
          <MenuItem value="">All</MenuItem>
          {(roles.data?.items ?? []).map((r) => (
            <MenuItem key={r.id} value={r.id}>
              {r.name}
            </MenuItem>
          ))}
        </TextField>
        <Button variant="contained" startIcon={<PersonAdd />} onClick={() => setInviting(true)} disabled={!roles.data}>
          INVITE USER
        </Button>
      </Box>
      {list.isPending ? <Loading label="Loading users" /> : null}
      {list.isError ? <ErrorState error={list.error} retry={() => void list.refetch()} /> : null}
      {list.isSuccess ? (
        <Paper variant="outlined">
          <Refreshing active={list.isPlaceholderData} />
          {items.length === 0 ? (
            <EmptyState title="No users match">Change the search or the filters.</EmptyState>
          ) : (
            <TableContainer>
              <Table size="small" aria-label="Users">
                <TableHead>
                  <TableRow>
                    <SortHeader label="Name" column="displayName" {...sorting} onSort={onSort} />
                    <SortHeader label="Email" column="email" {...sorting} onSort={onSort} />
                    <TableCell>Roles</TableCell>
                    <TableCell>Status</TableCell>
                    <SortHeader label="Created" column="createdAt" {...sorting} onSort={onSort} />
                    <TableCell>
                      <Box component="span" sx={visuallyHidden}>
                        Actions
                      </Box>
                    </TableCell>
                  </TableRow>
                </TableHead>
                <TableBody>
                  {items.map((u) => (
                    <TableRow key={u.id} hover>
                      <TableCell>{u.displayName || '—'}</TableCell>
                      <TableCell>{u.email}</TableCell>
                      <TableCell>
                        <Box sx={{ display: 'flex', gap: 0.5, flexWrap: 'wrap' }}>
                          {u.roles.map((r) => (
                            <Chip key={r.id} size="small" label={r.name} />
                          ))}
                        </Box>
                      </TableCell>
                      <TableCell>
                        <Chip
                          size="small"
                          label={u.status === 'active' ? 'Active' : 'Disabled'}
                          color={u.status === 'active' ? 'success' : 'default'}
                          variant={u.status === 'active' ? 'filled' : 'outlined'}
                        />
                      </TableCell>
                      <TableCell sx={{ whiteSpace: 'nowrap' }}>{formatDate(u.createdAt)}</TableCell>
                      <TableCell padding="checkbox">
                        <RowMenu
                          label={`Actions for ${u.email}`}
                          items={[
                            { label: 'Edit roles', onClick: () => setEditing(u) },
                            {
                              label: u.status === 'active' ? 'Disable' : 'Enable',
                              onClick: () => setToggling(u),
                              disabled: u.id === me?.id,
                            },
                          ]}
                        />
                      </TableCell>
                    </TableRow>
                  ))}
                </TableBody>
              </Table>
            </TableContainer>
          )}
          <CursorPager pages={pages} nextCursor={list.data.nextCursor} shown={list.data.items.length} />
        </Paper>
      ) : null}
      {inviting && roles.data ? <InviteDialog roles={roles.data.items} onClose={() => setInviting(false)} /> : null}
      {editing && roles.data ? (
        <RolesDialog user={editing} roles={roles.data.items} onClose={() => setEditing(null)} />
      ) : null}
      <ConfirmDialog
        open={toggling !== null}
        busy={toggle.isPending}
        danger={toggling?.status === 'active'}
        title={toggling?.status === 'active' ? `Disable ${toggling?.email}?` : `Enable ${toggling?.email ?? ''}?`}
        confirmLabel={toggling?.status === 'active' ? 'DISABLE' : 'ENABLE'}
        onClose={() => setToggling(null)}
        onConfirm={() => toggling && toggle.mutate(toggling)}
      >
        {toggling?.status === 'active' ? (
          <Typography component="span">
            {toggling.email} can no longer sign in or use the API until enabled again.
          </Typography>
        ) : (
          <Typography component="span">{toggling?.email} can sign in again.</Typography>
        )}
      </ConfirmDialog>
    </Box>
  );
}
