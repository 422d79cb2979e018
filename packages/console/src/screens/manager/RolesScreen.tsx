import { useState, type FormEvent } from 'react';
import {
  Alert,
  Box,
  Button,
  Chip,
  Dialog,
  DialogActions,
  DialogContent,
  DialogTitle,
  Link as MuiLink,
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
import AddIcon from '@mui/icons-material/Add';
import { visuallyHidden } from '@mui/utils';
import { Link } from 'react-router';
import { useMutation, useQueries, useQuery, useQueryClient, type QueryClient } from '@tanstack/react-query';
import { api, call } from '../../api/client';
import { messageOf } from '../../api/problem';
import { scopesQuery } from '../../api/scopes';
import type { GrantableScope, Role, UserQuery } from '../../api/types';
import { sessionKey, useSession } from '../../session/session';
import { useToast } from '../../components/toasts';
import { ConfirmDialog } from '../../components/ConfirmDialog';
import { RowMenu } from '../../components/RowMenu';
import { ErrorState, Loading } from '../../components/States';
import { GrantableScopePicker } from '../admin/ScopePicker';
import { tenantBase } from '../../site';

/** Holders are counted from one page of GET /users?roleId=…: exact up to this many. */
const HOLDERS_LIMIT = 200;

/** Under 'users': inviting, editing roles or disabling anyone counts again. */
function holdersQuery(tenant: string, roleId: string) {
  const query: UserQuery = { roleId, limit: HOLDERS_LIMIT };
  return {
    queryKey: ['users', tenant, query],
    queryFn: () => call(api.GET('/t/{tenant}/api/v1/users', { params: { path: { tenant }, query } })),
    select: (page: { items: unknown[]; nextCursor: string | null }) => ({
      count: page.items.length,
      more: page.nextCursor !== null,
    }),
  };
}

const usersText = (h: { count: number; more: boolean }) =>
  h.more ? `${HOLDERS_LIMIT} or more users` : h.count === 1 ? '1 user' : `${h.count} users`;

const BUILTIN: Record<string, string> = {
  'domain-manager': "its holders are the domain's managers (the User & Company Manager)",
  'oauth2-client-creator': 'its holders may create personal OAuth2 clients',
};

/** A role's change reaches its holders' user list, the filters and, when it is one's own role, one's own scopes. */
function refreshAfterRoleChange(qc: QueryClient, tenant: string) {
  void qc.invalidateQueries({ queryKey: ['roles', tenant] });
  void qc.invalidateQueries({ queryKey: ['users', tenant] });
  void qc.invalidateQueries({ queryKey: sessionKey(tenant) });
}

const sameScopes = (a: string[], b: string[]) => a.length === b.length && a.every((s) => b.includes(s));

/** Creates a role (role undefined) or edits one: name, description, scopes. A built-in role's kind stays. */
function RoleDialog({ role, onClose }: { role?: Role; onClose(): void }) {
  const { tenant } = useSession();
  const qc = useQueryClient();
  const toast = useToast();
  const scopes = useQuery(scopesQuery(tenant));
  const [name, setName] = useState(role?.name ?? '');
  const [description, setDescription] = useState(role?.description ?? '');
  const [picked, setPicked] = useState<string[]>(role?.scopes ?? []);
  const [touched, setTouched] = useState(false);

  // Only what changed goes to the server (and into the audit log).
  const patch = role
    ? {
        ...(name.trim() !== role.name ? { name: name.trim() } : {}),
        ...(description.trim() !== role.description ? { description: description.trim() } : {}),
        ...(!sameScopes(picked, role.scopes) ? { scopes: picked } : {}),
      }
    : {};
  const save = useMutation({
    mutationFn: () =>
      role
        ? call(api.PATCH('/t/{tenant}/api/v1/roles/{id}', { params: { path: { tenant, id: role.id } }, body: patch }))
        : call(
            api.POST('/t/{tenant}/api/v1/roles', {
              params: { path: { tenant } },
              body: {
                name: name.trim(),
                ...(description.trim() ? { description: description.trim() } : {}),
                scopes: picked,
              },
            }),
          ),
    onSuccess: (r) => {
      toast(role ? `Role "${r.name}" saved.` : `Role "${r.name}" created.`);
      refreshAfterRoleChange(qc, tenant);
      onClose();
    },
  });
  const nameError = touched && !name.trim() ? 'Give the role a name, e.g. "Metering readers".' : undefined;
  const submit = (e: FormEvent) => {
    e.preventDefault();
    setTouched(true);
    if (!name.trim()) return;
    if (role && Object.keys(patch).length === 0) {
      onClose();
      return;
    }
    save.mutate();
  };

  const management = new Set((scopes.data?.items ?? []).filter((s) => s.management).map((s) => s.scope));
  const removedManagement = (role?.scopes ?? []).filter((s) => management.has(s) && !picked.includes(s));
  return (
    <Dialog open onClose={save.isPending ? undefined : onClose} aria-labelledby="role-title" fullWidth maxWidth="sm">
      <form onSubmit={submit} noValidate>
        <DialogTitle id="role-title">{role ? `Edit role "${role.name}"` : 'New role'}</DialogTitle>
        <DialogContent sx={{ display: 'flex', flexDirection: 'column', gap: 2 }}>
          {role?.builtin ? (
            <Typography variant="body2" color="text.secondary">
              Built-in role: {BUILTIN[role.builtin] ?? role.builtin}, whatever it is called. It cannot be deleted; its
              name, description and scopes may change.
            </Typography>
          ) : (
            <Typography variant="body2" color="text.secondary">
              People holding the role get its scopes in their tokens, and so do their personal OAuth2 clients.
            </Typography>
          )}
          {save.isError ? <Alert severity="error">{messageOf(save.error)}</Alert> : null}
          <TextField
            label="Name"
            required
            autoFocus={!role}
            value={name}
            onChange={(e) => setName(e.target.value)}
            onBlur={() => setTouched(true)}
            error={!!nameError}
            helperText={nameError}
            slotProps={{ htmlInput: { maxLength: 64 } }}
            sx={{ mt: 1 }}
          />
          <TextField
            label="Description"
            multiline
            minRows={2}
            value={description}
            onChange={(e) => setDescription(e.target.value)}
            helperText="What the role is for, shown to managers choosing roles."
            slotProps={{ htmlInput: { maxLength: 500 } }}
          />
          {role?.builtin === 'domain-manager' ? (
            <Alert severity="warning">
              Managers&apos; personal OAuth2 clients rely on this role&apos;s management scopes (<code>latchkey:…</code>
              ): such a client may do on Latchkey&apos;s management API only what they allow. The console is not limited
              by them.
            </Alert>
          ) : null}
          {removedManagement.length ? (
            <Alert severity="warning" role="alert">
              Removing{' '}
              {removedManagement.map((s, i) => (
                <span key={s}>
                  {i ? ', ' : ''}
                  <code>{s}</code>
                </span>
              ))}
              : holders&apos; personal OAuth2 clients can no longer do what{' '}
              {removedManagement.length === 1 ? 'it allows' : 'they allow'}, from their next token on.
            </Alert>
          ) : null}
          {scopes.isPending ? <Loading label="Loading scopes" /> : null}
          {scopes.isError ? <ErrorState error={scopes.error} retry={() => void scopes.refetch()} /> : null}
          {scopes.isSuccess ? (
            <GrantableScopePicker
              scopes={scopes.data.items}
              value={picked}
              onChange={setPicked}
              legend="Scopes the role grants"
            />
          ) : null}
        </DialogContent>
        <DialogActions>
          <Button onClick={onClose} disabled={save.isPending}>
            CANCEL
          </Button>
          <Button type="submit" variant="contained" disabled={save.isPending || !scopes.isSuccess}>
            {role ? 'SAVE' : 'CREATE'}
          </Button>
        </DialogActions>
      </form>
    </Dialog>
  );
}

function ScopeChips({ scopes, described }: { scopes: string[]; described: Map<string, GrantableScope> }) {
  if (scopes.length === 0)
    return (
      <Typography component="span" variant="body2" color="text.secondary">
        none
      </Typography>
    );
  return (
    <Box sx={{ display: 'flex', gap: 0.5, flexWrap: 'wrap' }}>
      {scopes.map((s) => (
        <Chip
          key={s}
          size="small"
          variant="outlined"
          label={s}
          title={described.get(s)?.description || undefined}
          sx={{ fontFamily: 'monospace' }}
        />
      ))}
    </Box>
  );
}

/** What deleting a role does to the people holding it (the server deletes it all the same). */
function DeleteConsequence({
  role,
  holders,
}: {
  role: Role | null;
  holders: { data?: { count: number; more: boolean }; error: unknown } | undefined;
}) {
  if (!role) return null;
  if (!holders?.data) {
    return holders?.error ? (
      <>Latchkey could not count who holds it ({messageOf(holders.error)}). Everyone holding it loses it.</>
    ) : (
      <>Counting the users who hold it…</>
    );
  }
  if (holders.data.count === 0) return <>No one holds it.</>;
  const who = (
    <strong>
      {usersText(holders.data)} {holders.data.count === 1 ? 'holds' : 'hold'} it
    </strong>
  );
  if (role.scopes.length === 0) return <>{who} and will lose it; it grants no scopes.</>;
  return (
    <>
      {who} and will lose its scopes ({role.scopes.join(', ')}). Tokens they and their personal OAuth2 clients get from
      now on carry
      {role.scopes.length === 1 ? ' it' : ' them'} only if another of their roles grants{' '}
      {role.scopes.length === 1 ? 'it' : 'them'}.
    </>
  );
}

/** The domain's roles: what each grants, how many hold it; create, edit, delete (custom roles only). */
export function RolesScreen() {
  const { tenant } = useSession();
  const qc = useQueryClient();
  const toast = useToast();
  const [creating, setCreating] = useState(false);
  const [editing, setEditing] = useState<Role | null>(null);
  const [deleting, setDeleting] = useState<Role | null>(null);
  const roles = useQuery({
    queryKey: ['roles', tenant],
    queryFn: () => call(api.GET('/t/{tenant}/api/v1/roles', { params: { path: { tenant } } })),
  });
  const scopes = useQuery(scopesQuery(tenant));
  const items = roles.data?.items ?? [];
  const holders = useQueries({ queries: items.map((r) => holdersQuery(tenant, r.id)) });
  const holdersOf = (id: string) => holders[items.findIndex((r) => r.id === id)];
  const described = new Map((scopes.data?.items ?? []).map((s) => [s.scope, s]));
  const usersBase = `${tenantBase(tenant)}/manage/users`;

  const remove = useMutation({
    mutationFn: (r: Role) =>
      call(api.DELETE('/t/{tenant}/api/v1/roles/{id}', { params: { path: { tenant, id: r.id } } })),
    onSuccess: (_, r) => {
      toast(`Role "${r.name}" deleted.`);
      setDeleting(null);
      refreshAfterRoleChange(qc, tenant);
    },
  });
  const deletingHolders = deleting ? holdersOf(deleting.id) : undefined;

  return (
    <Box>
      <Box sx={{ display: 'flex', gap: 1, flexWrap: 'wrap', alignItems: 'center', mb: 1 }}>
        <Typography variant="h6" component="h2" sx={{ flexGrow: 1 }}>
          Roles
        </Typography>
        <Button variant="contained" startIcon={<AddIcon />} onClick={() => setCreating(true)}>
          NEW ROLE
        </Button>
      </Box>
      <Typography variant="body2" color="text.secondary" sx={{ mb: 2 }}>
        A role grants scopes of the domain&apos;s APIs and of Latchkey&apos;s own. People get roles under{' '}
        <MuiLink component={Link} to={usersBase}>
          Users
        </MuiLink>{' '}
        (Edit roles); their tokens carry the scopes of all their roles.
      </Typography>
      {roles.isPending ? <Loading label="Loading roles" /> : null}
      {roles.isError ? <ErrorState error={roles.error} retry={() => void roles.refetch()} /> : null}
      {roles.isSuccess ? (
        <Paper variant="outlined">
          <TableContainer tabIndex={0} role="region" aria-label="Roles, scrollable">
            <Table size="small" aria-label="Roles">
              <TableHead>
                <TableRow>
                  <TableCell>Name</TableCell>
                  <TableCell>Description</TableCell>
                  <TableCell>Scopes</TableCell>
                  <TableCell sx={{ whiteSpace: 'nowrap' }}>Held by</TableCell>
                  <TableCell>
                    <Box component="span" sx={visuallyHidden}>
                      Actions
                    </Box>
                  </TableCell>
                </TableRow>
              </TableHead>
              <TableBody>
                {items.map((r) => {
                  const h = holdersOf(r.id);
                  return (
                    <TableRow key={r.id} hover>
                      <TableCell sx={{ fontWeight: 500, minWidth: 170 }}>
                        {r.name}
                        {r.builtin ? <Chip size="small" label="Built-in" sx={{ ml: 1 }} /> : null}
                      </TableCell>
                      <TableCell sx={{ minWidth: 200 }}>
                        {r.description || (
                          <Typography component="span" variant="body2" color="text.secondary">
                            —
                          </Typography>
                        )}
                      </TableCell>
                      <TableCell sx={{ minWidth: 220 }}>
                        <ScopeChips scopes={r.scopes} described={described} />
                      </TableCell>
                      <TableCell sx={{ whiteSpace: 'nowrap' }} className="holders">
                        {h?.data ? (
                          h.data.count === 0 ? (
                            <Typography component="span" variant="body2" color="text.secondary">
                              no one
                            </Typography>
                          ) : (
                            <MuiLink
                              component={Link}
                              to={`${usersBase}?role=${encodeURIComponent(r.id)}`}
                              aria-label={`${usersText(h.data)} hold ${r.name}`}
                            >
                              {usersText(h.data)}
                            </MuiLink>
                          )
                        ) : h?.isError ? (
                          <Typography component="span" variant="body2" color="error">
                            {messageOf(h.error)}
                          </Typography>
                        ) : (
                          '…'
                        )}
                      </TableCell>
                      <TableCell padding="checkbox">
                        <RowMenu
                          label={`Actions for ${r.name}`}
                          items={[
                            { label: 'Edit', onClick: () => setEditing(r) },
                            {
                              label: r.builtin ? 'Delete (built-in roles stay)' : 'Delete',
                              onClick: () => {
                                remove.reset();
                                setDeleting(r);
                              },
                              disabled: !!r.builtin,
                            },
                          ]}
                        />
                      </TableCell>
                    </TableRow>
                  );
                })}
              </TableBody>
            </Table>
          </TableContainer>
        </Paper>
      ) : null}
      {creating ? <RoleDialog onClose={() => setCreating(false)} /> : null}
      {editing ? <RoleDialog key={editing.id} role={editing} onClose={() => setEditing(null)} /> : null}
      <ConfirmDialog
        open={deleting !== null}
        title={`Delete role "${deleting?.name ?? ''}"?`}
        confirmLabel="DELETE"
        busy={remove.isPending}
        onClose={() => setDeleting(null)}
        onConfirm={() => deleting && remove.mutate(deleting)}
      >
        {remove.isError ? (
          <Alert severity="error" sx={{ mb: 1 }}>
            {messageOf(remove.error)}
          </Alert>
        ) : null}
        <DeleteConsequence role={deleting} holders={deletingHolders} />
      </ConfirmDialog>
    </Box>
  );
}
