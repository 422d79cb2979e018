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
import { visuallyHidden } from '@mui/utils';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { api, call } from '../../api/client';
import { ApiError, messageOf } from '../../api/problem';
import type { IdentityProvider, IdentityProviderPatch } from '../../api/types';
import { useSession } from '../../session/session';
import { useToast } from '../../components/toasts';
import { ConfirmDialog } from '../../components/ConfirmDialog';
import { CopyButton } from '../../components/CopyButton';
import { ChipsField } from '../../components/ChipsField';
import { RowMenu } from '../../components/RowMenu';
import { EmptyState, ErrorState, Loading } from '../../components/States';
import { settingsQuery } from './AppDialogs';

export const providersQuery = (tenant: string) => ({
  queryKey: ['identity-providers', tenant],
  queryFn: () => call(api.GET('/t/{tenant}/api/v1/identity-providers', { params: { path: { tenant } } })),
});

/** The problems of the issuer itself (its discovery document) belong under the issuer field. */
const ISSUER_PROBLEMS = new Set(['issuer_unreachable', 'issuer_invalid']);
const DOMAIN = /^(?=.{1,253}$)([a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z0-9-]{2,63}$/;

/** Adds a provider, or edits one: the client secret is write-only, so editing leaves it alone unless typed. */
function ProviderDialog({ provider, onClose }: { provider?: IdentityProvider; onClose(): void }) {
  const { tenant } = useSession();
  const qc = useQueryClient();
  const toast = useToast();
  const [name, setName] = useState(provider?.name ?? '');
  const [issuer, setIssuer] = useState(provider?.issuer ?? '');
  const [clientId, setClientId] = useState(provider?.clientId ?? '');
  const [clientSecret, setClientSecret] = useState('');
  const [domains, setDomains] = useState(provider?.allowedEmailDomains ?? []);
  const [jit, setJit] = useState(provider?.jitProvisioning ?? false);
  const [enabled, setEnabled] = useState(provider?.enabled ?? true);
  const save = useMutation({
    mutationFn: async () => {
      const body = {
        name: name.trim(),
        issuer: issuer.trim(),
        clientId: clientId.trim(),
        allowedEmailDomains: domains,
        jitProvisioning: jit,
        enabled,
      };
      if (!provider) {
        return call(
          api.POST('/t/{tenant}/api/v1/identity-providers', {
            params: { path: { tenant } },
            body: { ...body, clientSecret },
          }),
        );
      }
      const patch: IdentityProviderPatch = { ...body, ...(clientSecret ? { clientSecret } : {}) };
      return call(
        api.PATCH('/t/{tenant}/api/v1/identity-providers/{id}', {
          params: { path: { tenant, id: provider.id } },
          body: patch,
        }),
      );
    },
    onSuccess: (p) => {
      toast(provider ? `Identity provider "${p.name}" saved.` : `Identity provider "${p.name}" added.`);
      void qc.invalidateQueries({ queryKey: ['identity-providers', tenant] });
      onClose();
    },
  });
  const issuerProblem =
    save.error instanceof ApiError && save.error.code && ISSUER_PROBLEMS.has(save.error.code)
      ? save.error.message
      : undefined;
  const issuerError =
    issuer.trim() && !/^https?:\/\/\S+$/.test(issuer.trim())
      ? 'The issuer is a URL, e.g. https://login.acme.test.'
      : issuerProblem;
  const badDomain = domains.find((d) => !DOMAIN.test(d));
  const domainError = badDomain ? `"${badDomain}" is not a domain name (e.g. acme.test).` : undefined;
  const invalid =
    !name.trim() ||
    !issuer.trim() ||
    !clientId.trim() ||
    (!provider && !clientSecret) ||
    domains.length === 0 ||
    !!domainError ||
    (!!issuerError && !issuerProblem);
  const submit = (e: FormEvent) => {
    e.preventDefault();
    if (!invalid) save.mutate();
  };
  const title = provider ? `Edit "${provider.name}"` : 'Add an identity provider';
  return (
    <Dialog open onClose={save.isPending ? undefined : onClose} aria-labelledby="idp-title" fullWidth maxWidth="sm">
      <form onSubmit={submit} noValidate>
        <DialogTitle id="idp-title">{title}</DialogTitle>
        <DialogContent sx={{ display: 'flex', flexDirection: 'column', gap: 2 }}>
          {save.isError && !issuerProblem ? <Alert severity="error">{messageOf(save.error)}</Alert> : null}
          <TextField
            label="Name"
            required
            autoFocus
            value={name}
            onChange={(e) => setName(e.target.value)}
            sx={{ mt: 1 }}
            helperText={`Shown on the sign-in page: "Sign in with ${name.trim() || 'Acme SSO'}".`}
          />
          <TextField
            label="Issuer"
            required
            value={issuer}
            onChange={(e) => {
              setIssuer(e.target.value);
              if (issuerProblem) save.reset();
            }}
            error={!!issuerError}
            helperText={
              issuerError ??
              'The OpenID Connect issuer URL; Latchkey reads its /.well-known/openid-configuration before saving.'
            }
          />
          <TextField
            label="Client ID"
            required
            value={clientId}
            onChange={(e) => setClientId(e.target.value)}
            helperText="Of the application registered for Latchkey at the provider."
          />
          <TextField
            label="Client secret"
            type="password"
            required={!provider}
            value={clientSecret}
            onChange={(e) => setClientSecret(e.target.value)}
            autoComplete="new-password"
            helperText={provider ? 'Leave empty to keep the current secret.' : 'Stored encrypted; never shown again.'}
          />
          <ChipsField
            label="Allowed email domains"
            values={domains}
            onChange={setDomains}
            error={domainError}
            placeholder={domains.length ? undefined : 'acme.test'}
            helperText="Only people whose verified email is in one of these domains may sign in this way. Press Enter after each."
          />
          <Box>
            <FormControlLabel
              label="Create accounts on first sign-in (JIT provisioning)"
              control={<Switch checked={jit} onChange={(e) => setJit(e.target.checked)} />}
            />
            <Typography variant="body2" color="text.secondary">
              {jit
                ? 'Someone with an allowed email and no account here gets one, without roles.'
                : 'Only people who already have an account here can sign in.'}
            </Typography>
          </Box>
          <FormControlLabel
            label="Enabled (shown on the sign-in page)"
            control={<Switch checked={enabled} onChange={(e) => setEnabled(e.target.checked)} />}
          />
        </DialogContent>
        <DialogActions>
          <Button onClick={onClose} disabled={save.isPending}>
            CANCEL
          </Button>
          <Button type="submit" variant="contained" disabled={save.isPending || invalid}>
            {save.isPending ? 'CHECKING THE ISSUER…' : provider ? 'SAVE' : 'ADD'}
          </Button>
        </DialogActions>
      </form>
    </Dialog>
  );
}

/** "Enforce single sign-on": only once an enabled provider exists; turning it on says what ends. */
function Enforcement({ canEnforce }: { canEnforce: boolean }) {
  const { tenant } = useSession();
  const qc = useQueryClient();
  const toast = useToast();
  const settings = useQuery(settingsQuery(tenant));
  const [asking, setAsking] = useState<boolean | null>(null);
  const save = useMutation({
    mutationFn: (on: boolean) =>
      call(api.PATCH('/t/{tenant}/api/v1/settings', { params: { path: { tenant } }, body: { ssoEnforced: on } })),
    onSuccess: (s) => {
      qc.setQueryData(settingsQuery(tenant).queryKey, s);
      toast(s.ssoEnforced ? 'Single sign-on is enforced.' : 'Password sign-in works again.');
      setAsking(null);
    },
  });
  if (settings.isPending) return <Loading label="Loading settings" />;
  if (settings.isError) return <ErrorState error={settings.error} retry={() => void settings.refetch()} />;
  const on = settings.data.ssoEnforced;
  return (
    <Paper variant="outlined" sx={{ px: 2, py: 1.5 }}>
      <FormControlLabel
        label={<strong>Enforce single sign-on</strong>}
        disabled={!on && !canEnforce}
        control={
          <Switch
            checked={on}
            onChange={(e) => setAsking(e.target.checked)}
            slotProps={{ input: { 'aria-describedby': 'enforce-help' } }}
          />
        }
      />
      <Typography variant="body2" color="text.secondary" id="enforce-help">
        {!on && !canEnforce
          ? 'Add and enable an identity provider first: with none, nobody could sign in.'
          : 'People sign in only through an identity provider; passwords are refused, except for the break-glass accounts a platform administrator names.'}
      </Typography>
      <ConfirmDialog
        open={asking !== null}
        danger={asking === true}
        busy={save.isPending}
        confirmLabel={asking ? 'ENFORCE' : 'TURN OFF'}
        title={asking ? 'Enforce single sign-on?' : 'Stop enforcing single sign-on?'}
        onClose={() => {
          setAsking(null);
          save.reset();
        }}
        onConfirm={() => asking !== null && save.mutate(asking)}
      >
        {save.isError ? (
          <Alert severity="error" sx={{ mb: 1 }}>
            {messageOf(save.error)}
          </Alert>
        ) : null}
        {asking ? (
          <>
            <Typography component="p" sx={{ mb: 1 }}>
              Everyone's password console sessions end now, and so do refresh tokens obtained with the password grant.
              From then on people sign in with single sign-on.
            </Typography>
            <Typography component="p" sx={{ mb: 1 }}>
              Break-glass accounts are excepted: they keep their sessions and may still sign in with a password.
            </Typography>
            <Typography component="p">
              Personal OAuth2 clients keep working: scripts that use them are not affected. The change is recorded in
              the audit log.
            </Typography>
          </>
        ) : (
          'People can sign in with their passwords again, and use the password grant. The change is recorded in the audit log.'
        )}
      </ConfirmDialog>
    </Paper>
  );
}

/** Single sign-on: the redirect URI to register, the identity providers, and enforcing it. */
export function SsoScreen() {
  const { tenant } = useSession();
  const qc = useQueryClient();
  const toast = useToast();
  const list = useQuery(providersQuery(tenant));
  const [editing, setEditing] = useState<IdentityProvider | 'new' | null>(null);
  const [deleting, setDeleting] = useState<IdentityProvider | null>(null);
  const invalidate = () => qc.invalidateQueries({ queryKey: ['identity-providers', tenant] });
  const remove = useMutation({
    mutationFn: (p: IdentityProvider) =>
      call(api.DELETE('/t/{tenant}/api/v1/identity-providers/{id}', { params: { path: { tenant, id: p.id } } })),
    onSuccess: (_, p) => {
      toast(`Identity provider "${p.name}" deleted.`);
      setDeleting(null);
      void invalidate();
    },
  });
  const toggle = useMutation({
    mutationFn: (p: IdentityProvider) =>
      call(
        api.PATCH('/t/{tenant}/api/v1/identity-providers/{id}', {
          params: { path: { tenant, id: p.id } },
          body: { enabled: !p.enabled },
        }),
      ),
    onSuccess: (p) => {
      toast(`"${p.name}" ${p.enabled ? 'enabled' : 'disabled'}.`);
      void invalidate();
    },
    onError: (err) => toast(messageOf(err), 'error'),
  });
  if (list.isPending) return <Loading label="Loading identity providers" />;
  if (list.isError) return <ErrorState error={list.error} retry={() => void list.refetch()} />;
  const { items, redirectUri } = list.data;
  return (
    <Box sx={{ maxWidth: 1000 }}>
      <Typography variant="h6" component="h2" sx={{ mb: 1 }}>
        Redirect URI
      </Typography>
      <Paper variant="outlined" sx={{ px: 2, py: 1.5, mb: 3 }}>
        <Typography variant="body2" color="text.secondary" sx={{ mb: 0.5 }}>
          Register this redirect URI with the application you create for Latchkey at your identity provider (OpenID
          Connect, authorization-code flow).
        </Typography>
        <Box sx={{ display: 'flex', alignItems: 'center', flexWrap: 'wrap', gap: 0.5 }}>
          <Typography component="code" id="sso-redirect-uri" sx={{ fontFamily: 'monospace', wordBreak: 'break-all' }}>
            {redirectUri}
          </Typography>
          <CopyButton value={redirectUri} label="Copy redirect URI" />
        </Box>
      </Paper>

      <Box sx={{ display: 'flex', gap: 1, flexWrap: 'wrap', alignItems: 'center', mb: 1 }}>
        <Typography variant="h6" component="h2" sx={{ flexGrow: 1 }}>
          Identity providers
        </Typography>
        <Button variant="contained" startIcon={<AddIcon />} onClick={() => setEditing('new')}>
          ADD IDENTITY PROVIDER
        </Button>
      </Box>
      <Paper variant="outlined" sx={{ mb: 3 }}>
        {items.length === 0 ? (
          <EmptyState title="No identity provider yet">
            Add your company's OpenID Connect provider (Okta, Entra ID, Google Workspace, Keycloak…) so people sign in
            with their company account.
          </EmptyState>
        ) : (
          <TableContainer tabIndex={0} role="region" aria-label="Identity providers, scrollable">
            <Table size="small" aria-label="Identity providers">
              <TableHead>
                <TableRow>
                  <TableCell>Name</TableCell>
                  <TableCell>Issuer</TableCell>
                  <TableCell>Client ID</TableCell>
                  <TableCell>Allowed email domains</TableCell>
                  <TableCell>New accounts</TableCell>
                  <TableCell>Status</TableCell>
                  <TableCell>
                    <Box component="span" sx={visuallyHidden}>
                      Actions
                    </Box>
                  </TableCell>
                </TableRow>
              </TableHead>
              <TableBody>
                {items.map((p) => (
                  <TableRow key={p.id} hover>
                    <TableCell>{p.name}</TableCell>
                    <TableCell sx={{ wordBreak: 'break-all' }}>
                      <code>{p.issuer}</code>
                    </TableCell>
                    <TableCell sx={{ wordBreak: 'break-all' }}>
                      <code>{p.clientId}</code>
                    </TableCell>
                    <TableCell>
                      <Box sx={{ display: 'flex', gap: 0.5, flexWrap: 'wrap' }}>
                        {p.allowedEmailDomains.map((d) => (
                          <Chip key={d} label={d} size="small" />
                        ))}
                      </Box>
                    </TableCell>
                    <TableCell>{p.jitProvisioning ? 'Created on first sign-in' : 'Existing accounts only'}</TableCell>
                    <TableCell>
                      {p.enabled ? (
                        <Chip label="Enabled" color="success" size="small" variant="outlined" />
                      ) : (
                        <Chip label="Disabled" size="small" variant="outlined" />
                      )}
                    </TableCell>
                    <TableCell align="right">
                      <RowMenu
                        label={`Actions for ${p.name}`}
                        items={[
                          { label: 'Edit', onClick: () => setEditing(p) },
                          {
                            label: p.enabled ? 'Disable' : 'Enable',
                            onClick: () => toggle.mutate(p),
                            disabled: toggle.isPending,
                          },
                          {
                            label: 'Delete',
                            onClick: () => {
                              remove.reset();
                              setDeleting(p);
                            },
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
      </Paper>

      <Typography variant="h6" component="h2" sx={{ mb: 1 }}>
        Enforcement
      </Typography>
      <Enforcement canEnforce={items.some((p) => p.enabled)} />

      {editing ? (
        <ProviderDialog provider={editing === 'new' ? undefined : editing} onClose={() => setEditing(null)} />
      ) : null}
      <ConfirmDialog
        open={deleting !== null}
        title={`Delete "${deleting?.name ?? ''}"?`}
        confirmLabel="DELETE"
        busy={remove.isPending}
        onClose={() => {
          setDeleting(null);
          remove.reset();
        }}
        onConfirm={() => deleting && remove.mutate(deleting)}
      >
        {remove.isError ? (
          <Alert severity="error" sx={{ mb: 1 }}>
            {messageOf(remove.error)}
          </Alert>
        ) : null}
        Its button leaves the sign-in page and its stored client secret is deleted. People who signed in through it keep
        their accounts and can use another way in.
      </ConfirmDialog>
    </Box>
  );
}
