import { useState, type FormEvent } from 'react';
import {
  Alert,
  Box,
  Button,
  Checkbox,
  Dialog,
  DialogActions,
  DialogContent,
  DialogTitle,
  FormControlLabel,
  Paper,
  Switch,
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
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { api, call } from '../../api/client';
import { messageOf } from '../../api/problem';
import type { Tenant } from '../../api/types';
import { useSession } from '../../session/session';
import { useToast } from '../../components/toasts';
import { ConfirmDialog } from '../../components/ConfirmDialog';
import { EmptyState, ErrorState, Loading } from '../../components/States';
import { formatDate } from '../../components/format';
import { ChipsField } from '../../components/ChipsField';

const KEY = ['platform-tenants'];

function CreateTenantDialog({ onClose }: { onClose(): void }) {
  const qc = useQueryClient();
  const toast = useToast();
  const [slug, setSlug] = useState('');
  const [name, setName] = useState('');
  const [enterprise, setEnterprise] = useState(false);
  const [email, setEmail] = useState('');
  const create = useMutation({
    mutationFn: () =>
      call(
        api.POST('/platform/api/v1/tenants', {
          body: {
            slug: slug.trim(),
            name: name.trim(),
            enterpriseEnabled: enterprise,
            ...(email.trim() ? { manager: { email: email.trim() } } : {}),
          },
        }),
      ),
    onSuccess: (r) => {
      toast(`Tenant "${r.tenant.name}" created.`);
      void qc.invalidateQueries({ queryKey: KEY });
      onClose();
    },
  });
  const slugError =
    slug && !/^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$/.test(slug)
      ? 'Lowercase letters, digits and hyphens, not starting or ending with a hyphen.'
      : undefined;
  const submit = (e: FormEvent) => {
    e.preventDefault();
    if (slug && name.trim() && !slugError) create.mutate();
  };
  return (
    <Dialog
      open
      onClose={create.isPending ? undefined : onClose}
      aria-labelledby="create-tenant-title"
      fullWidth
      maxWidth="sm"
    >
      <form onSubmit={submit} noValidate>
        <DialogTitle id="create-tenant-title">Create a tenant</DialogTitle>
        <DialogContent sx={{ display: 'flex', flexDirection: 'column', gap: 2 }}>
          {create.isError ? <Alert severity="error">{messageOf(create.error)}</Alert> : null}
          <TextField
            label="Slug"
            required
            autoFocus
            value={slug}
            onChange={(e) => setSlug(e.target.value)}
            error={!!slugError}
            helperText={slugError ?? `Part of every URL: /t/${slug || 'acme'}/…`}
            sx={{ mt: 1 }}
          />
          <TextField label="Name" required value={name} onChange={(e) => setName(e.target.value)} />
          <FormControlLabel
            label="Enterprise features (personal OAuth2 clients)"
            control={<Checkbox checked={enterprise} onChange={(e) => setEnterprise(e.target.checked)} />}
          />
          <TextField
            label="First domain manager's email"
            type="email"
            value={email}
            onChange={(e) => setEmail(e.target.value)}
            helperText="Optional: this person gets every built-in role."
          />
        </DialogContent>
        <DialogActions>
          <Button onClick={onClose} disabled={create.isPending}>
            CANCEL
          </Button>
          <Button type="submit" variant="contained" disabled={create.isPending || !slug || !name.trim() || !!slugError}>
            CREATE
          </Button>
        </DialogActions>
      </form>
    </Dialog>
  );
}

/** Single sign-on of one tenant: enforced or not, and the break-glass accounts that keep their passwords. */
function TenantSsoDialog({ tenant, onClose }: { tenant: Tenant; onClose(): void }) {
  const qc = useQueryClient();
  const toast = useToast();
  const [enforced, setEnforced] = useState(tenant.ssoEnforced);
  const [accounts, setAccounts] = useState(tenant.breakGlassAccounts);
  const bad = accounts.find((a) => !/^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(a));
  const save = useMutation({
    mutationFn: () =>
      call(
        api.PATCH('/platform/api/v1/tenants/{slug}', {
          params: { path: { slug: tenant.slug } },
          body: { ssoEnforced: enforced, breakGlassAccounts: accounts },
        }),
      ),
    onSuccess: (t) => {
      toast(`Single sign-on settings of ${t.name} saved.`);
      void qc.invalidateQueries({ queryKey: KEY });
      onClose();
    },
  });
  return (
    <Dialog
      open
      onClose={save.isPending ? undefined : onClose}
      aria-labelledby="tenant-sso-title"
      fullWidth
      maxWidth="sm"
    >
      <form
        onSubmit={(e: FormEvent) => {
          e.preventDefault();
          if (!bad) save.mutate();
        }}
        noValidate
      >
        <DialogTitle id="tenant-sso-title">Single sign-on of {tenant.name}</DialogTitle>
        <DialogContent sx={{ display: 'flex', flexDirection: 'column', gap: 2 }}>
          {save.isError ? <Alert severity="error">{messageOf(save.error)}</Alert> : null}
          <Box>
            <FormControlLabel
              label="Enforce single sign-on"
              control={<Switch checked={enforced} onChange={(e) => setEnforced(e.target.checked)} />}
            />
            <Typography variant="body2" color="text.secondary">
              {enforced && !tenant.ssoEnforced
                ? 'Password console sessions and password-grant refresh tokens of everyone but the break-glass accounts end when you save. Personal OAuth2 clients keep working.'
                : 'Needs an enabled identity provider in the tenant.'}
            </Typography>
          </Box>
          <ChipsField
            label="Break-glass accounts"
            values={accounts}
            onChange={setAccounts}
            placeholder={accounts.length ? undefined : 'oncall@acme.test'}
            error={bad ? `"${bad}" is not an email address.` : undefined}
            helperText="Emails of this tenant's users who may still sign in with a password while single sign-on is enforced. Press Enter after each."
          />
        </DialogContent>
        <DialogActions>
          <Button onClick={onClose} disabled={save.isPending}>
            CANCEL
          </Button>
          <Button type="submit" variant="contained" disabled={save.isPending || !!bad}>
            SAVE
          </Button>
        </DialogActions>
      </form>
    </Dialog>
  );
}

const LABEL = /^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$/;

/** The server's rule for a tenant host (it checks again and says why): a lowercase DNS name, nothing more. */
function hostProblem(host: string): string | undefined {
  if (/^[a-z][a-z0-9+.-]*:\/\//.test(host)) return `"${host}" is a URL: enter the host name alone.`;
  if (host.includes('*')) return `"${host}" is a wildcard: each tenant host is one name.`;
  if (host.startsWith('[') || /^[0-9.]+$/.test(host)) return `"${host}" is an IP address: enter a DNS name.`;
  if (host.includes(':')) return `"${host}" has a port: enter the host name alone.`;
  if (/[/?#@\\]/.test(host)) return `"${host}" is not a host name.`;
  if (host.length > 253) return `"${host}" is longer than 253 characters.`;
  const labels = host.split('.');
  if (labels.length < 2) return `"${host}" needs at least two labels, such as acme.example.com.`;
  if (!labels.every((l) => LABEL.test(l)))
    return `"${host}": each label is 1-63 letters, digits or hyphens, not starting or ending with a hyphen.`;
  return undefined;
}

/** The host names that serve one tenant at their root. */
function TenantHostsDialog({ tenant, onClose }: { tenant: Tenant; onClose(): void }) {
  const qc = useQueryClient();
  const toast = useToast();
  const [hosts, setHosts] = useState(tenant.hosts);
  const bad = hosts.map(hostProblem).find(Boolean);
  const save = useMutation({
    mutationFn: () =>
      call(
        api.PATCH('/platform/api/v1/tenants/{slug}', {
          params: { path: { slug: tenant.slug } },
          body: { hosts },
        }),
      ),
    onSuccess: (t) => {
      toast(`Host names of ${t.name} saved.`);
      void qc.invalidateQueries({ queryKey: KEY });
      onClose();
    },
  });
  return (
    <Dialog
      open
      onClose={save.isPending ? undefined : onClose}
      aria-labelledby="tenant-hosts-title"
      fullWidth
      maxWidth="sm"
    >
      <form
        onSubmit={(e: FormEvent) => {
          e.preventDefault();
          if (!bad) save.mutate();
        }}
        noValidate
      >
        <DialogTitle id="tenant-hosts-title">Host names of {tenant.name}</DialogTitle>
        <DialogContent sx={{ display: 'flex', flexDirection: 'column', gap: 2 }}>
          {save.isError ? <Alert severity="error">{messageOf(save.error)}</Alert> : null}
          <Typography variant="body2" color="text.secondary">
            Each host name serves this tenant at its root (its token endpoint is /oauth2/v1/token there), and tokens
            asked for there carry it as their issuer. Point its DNS at Latchkey&apos;s proxy, with a certificate for it.
            The tenant stays at <code>{tenant.issuer}</code> too.
          </Typography>
          <ChipsField
            label="Host names"
            values={hosts}
            onChange={setHosts}
            placeholder={hosts.length ? undefined : 'acme.id.example.com'}
            error={bad}
            helperText="Lowercase DNS names, such as login.acme.com. Press Enter after each."
          />
        </DialogContent>
        <DialogActions>
          <Button onClick={onClose} disabled={save.isPending}>
            CANCEL
          </Button>
          <Button type="submit" variant="contained" disabled={save.isPending || !!bad}>
            SAVE
          </Button>
        </DialogActions>
      </form>
    </Dialog>
  );
}

/** Platform administrators only: every tenant, new ones, and enterprise features on or off. */
export default function TenantsScreen() {
  const { me } = useSession();
  const qc = useQueryClient();
  const toast = useToast();
  const [creating, setCreating] = useState(false);
  const [toggling, setToggling] = useState<Tenant | null>(null);
  const [sso, setSso] = useState<Tenant | null>(null);
  const [hostsOf, setHostsOf] = useState<Tenant | null>(null);
  const list = useQuery({
    queryKey: KEY,
    queryFn: () => call(api.GET('/platform/api/v1/tenants')),
    enabled: !!me?.platformAdmin,
  });
  const toggle = useMutation({
    mutationFn: (t: Tenant) =>
      call(
        api.PATCH('/platform/api/v1/tenants/{slug}', {
          params: { path: { slug: t.slug } },
          body: { enterpriseEnabled: !t.enterpriseEnabled },
        }),
      ),
    onSuccess: (t) => {
      toast(`Enterprise features ${t.enterpriseEnabled ? 'on' : 'off'} for ${t.name}.`);
      setToggling(null);
      void qc.invalidateQueries({ queryKey: KEY });
    },
    onError: (err) => {
      toast(messageOf(err), 'error');
      setToggling(null);
    },
  });
  if (!me?.platformAdmin) {
    return (
      <Alert severity="warning" role="alert">
        Tenants are managed by platform administrators. Your account is not one.
      </Alert>
    );
  }
  const items = list.data?.items ?? [];
  return (
    <Box>
      <Box sx={{ display: 'flex', gap: 1, flexWrap: 'wrap', alignItems: 'center', mb: 2 }}>
        <Typography variant="h5" component="h1" sx={{ flexGrow: 1 }}>
          Tenants
        </Typography>
        <Button variant="contained" startIcon={<AddIcon />} onClick={() => setCreating(true)}>
          CREATE TENANT
        </Button>
      </Box>
      {list.isPending ? <Loading label="Loading tenants" /> : null}
      {list.isError ? <ErrorState error={list.error} retry={() => void list.refetch()} /> : null}
      {list.isSuccess ? (
        <Paper variant="outlined">
          {items.length === 0 ? (
            <EmptyState title="No tenants" />
          ) : (
            <TableContainer>
              <Table size="small" aria-label="Tenants">
                <TableHead>
                  <TableRow>
                    <TableCell>Slug</TableCell>
                    <TableCell>Name</TableCell>
                    <TableCell>Issuer</TableCell>
                    <TableCell>Host names</TableCell>
                    <TableCell>Created</TableCell>
                    <TableCell>Enterprise features</TableCell>
                    <TableCell>Single sign-on</TableCell>
                  </TableRow>
                </TableHead>
                <TableBody>
                  {items.map((t) => (
                    <TableRow key={t.id} hover>
                      <TableCell>
                        <code>{t.slug}</code>
                      </TableCell>
                      <TableCell>{t.name}</TableCell>
                      <TableCell sx={{ wordBreak: 'break-all' }}>
                        <code>{t.issuer}</code>
                      </TableCell>
                      <TableCell sx={{ wordBreak: 'break-all' }}>
                        {t.hosts.length ? t.hosts.join(', ') : 'None'}
                        <Button
                          size="small"
                          sx={{ ml: 1 }}
                          onClick={() => setHostsOf(t)}
                          aria-label={`Host names of ${t.slug}`}
                        >
                          EDIT
                        </Button>
                      </TableCell>
                      <TableCell sx={{ whiteSpace: 'nowrap' }}>{formatDate(t.createdAt)}</TableCell>
                      <TableCell>
                        <Switch
                          checked={t.enterpriseEnabled}
                          onChange={() => setToggling(t)}
                          slotProps={{ input: { 'aria-label': `Enterprise features for ${t.slug}` } }}
                        />
                      </TableCell>
                      <TableCell sx={{ whiteSpace: 'nowrap' }}>
                        {t.ssoEnforced ? 'Enforced' : 'Not enforced'}
                        {t.breakGlassAccounts.length ? `, ${t.breakGlassAccounts.length} break-glass` : ''}
                        <Button
                          size="small"
                          sx={{ ml: 1 }}
                          onClick={() => setSso(t)}
                          aria-label={`Single sign-on of ${t.slug}`}
                        >
                          EDIT
                        </Button>
                      </TableCell>
                    </TableRow>
                  ))}
                </TableBody>
              </Table>
            </TableContainer>
          )}
        </Paper>
      ) : null}
      {creating ? <CreateTenantDialog onClose={() => setCreating(false)} /> : null}
      {sso ? <TenantSsoDialog tenant={sso} onClose={() => setSso(null)} /> : null}
      {hostsOf ? <TenantHostsDialog tenant={hostsOf} onClose={() => setHostsOf(null)} /> : null}
      <ConfirmDialog
        open={toggling !== null}
        danger={!!toggling?.enterpriseEnabled}
        busy={toggle.isPending}
        title={`${toggling?.enterpriseEnabled ? 'Turn off' : 'Turn on'} enterprise features for ${toggling?.name ?? ''}?`}
        confirmLabel={toggling?.enterpriseEnabled ? 'TURN OFF' : 'TURN ON'}
        onClose={() => setToggling(null)}
        onConfirm={() => toggling && toggle.mutate(toggling)}
      >
        {toggling?.enterpriseEnabled
          ? 'People of this tenant can no longer create personal OAuth2 clients, and the ones they have are refused while the features are off.'
          : 'People with the client-creator role can create personal OAuth2 clients.'}
      </ConfirmDialog>
    </Box>
  );
}
