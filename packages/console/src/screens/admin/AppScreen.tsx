import { useState, type ChangeEvent, type ReactNode } from 'react';
import { Alert, Box, Button, Link as MuiLink, Paper, TextField, Typography } from '@mui/material';
import ArrowBack from '@mui/icons-material/ArrowBack';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { Link, useNavigate, useParams } from 'react-router';
import { api, call } from '../../api/client';
import { messageOf } from '../../api/problem';
import type { App, AppPatch, CreatedApp } from '../../api/types';
import { useSession } from '../../session/session';
import { useToast } from '../../components/toasts';
import { ConfirmDialog } from '../../components/ConfirmDialog';
import { CopyButton } from '../../components/CopyButton';
import { ErrorState, Loading } from '../../components/States';
import { formatDateTime } from '../../components/format';
import { AppStatusChip } from './AppsScreen';
import { AppSecretDialog } from './AppSecretDialog';
import { RotateSecretDialog } from '../../components/RotateSecretDialog';
import { DeleteAppDialog, EditAppDialog, TokenDialog } from './AppDialogs';
import { JWT_BEARER, grantLabel } from './grants';
import { tenantBase } from '../../site';

type Jwks = NonNullable<AppPatch['jwks']>;

/** Public keys for the "JWT assertion" grant: pasted or read from a file, checked as JSON before saving. */
function KeysPanel({ app }: { app: App }) {
  const { tenant } = useSession();
  const qc = useQueryClient();
  const toast = useToast();
  const [text, setText] = useState(app.jwks ? JSON.stringify(app.jwks, null, 2) : '');
  const [parseError, setParseError] = useState<string | null>(null);
  const save = useMutation({
    mutationFn: (jwks: Jwks | null) =>
      call(api.PATCH('/t/{tenant}/api/v1/apps/{id}', { params: { path: { tenant, id: app.id } }, body: { jwks } })),
    onSuccess: (a) => {
      toast(
        a.jwks
          ? `${a.jwks.keys.length} public key${a.jwks.keys.length === 1 ? '' : 's'} saved.`
          : 'Public keys removed.',
      );
      void qc.invalidateQueries({ queryKey: ['apps', tenant] });
    },
  });
  const submit = () => {
    let jwks: unknown;
    try {
      jwks = JSON.parse(text);
    } catch {
      setParseError('This is not JSON. Paste a JWKS: {"keys": [ ...public keys... ]}.');
      return;
    }
    const keys = (jwks as { keys?: unknown }).keys;
    if (!Array.isArray(keys) || keys.length === 0) {
      setParseError('A JWKS needs a "keys" list with at least one public key.');
      return;
    }
    setParseError(null);
    save.mutate(jwks as Jwks);
  };
  const upload = async (e: ChangeEvent<HTMLInputElement>) => {
    const file = e.target.files?.[0];
    if (file) setText(await file.text());
    e.target.value = '';
  };
  return (
    <Paper variant="outlined" sx={{ p: 2, mt: 2 }} component="section" aria-labelledby="keys-title">
      <Typography variant="h6" component="h2" id="keys-title">
        Public keys for JWT assertions
      </Typography>
      <Typography variant="body2" color="text.secondary" sx={{ mb: 1 }}>
        Latchkey verifies the application's signed assertions with these keys. Only public keys: a private key is
        refused.
        {app.jwks
          ? ` ${app.jwks.keys.length} key${app.jwks.keys.length === 1 ? '' : 's'} registered.`
          : ' None registered yet: assertions are refused until you add them.'}
      </Typography>
      {parseError ? (
        <Alert severity="error" sx={{ mb: 1 }}>
          {parseError}
        </Alert>
      ) : null}
      {save.isError ? (
        <Alert severity="error" sx={{ mb: 1 }}>
          {messageOf(save.error)}
        </Alert>
      ) : null}
      <TextField
        label="JWKS (JSON)"
        multiline
        minRows={4}
        maxRows={14}
        fullWidth
        value={text}
        onChange={(e) => setText(e.target.value)}
        slotProps={{ htmlInput: { spellCheck: false, style: { fontFamily: 'monospace', fontSize: 13 } } }}
      />
      <Box sx={{ display: 'flex', gap: 1, mt: 1, flexWrap: 'wrap' }}>
        <Button variant="contained" onClick={submit} disabled={save.isPending || !text.trim()}>
          SAVE KEYS
        </Button>
        <Button component="label" variant="outlined">
          UPLOAD FILE
          <input
            type="file"
            hidden
            accept=".json,.jwks,application/json"
            onChange={upload}
            aria-label="Upload a JWKS file"
          />
        </Button>
        {app.jwks ? (
          <Button
            color="error"
            onClick={() => {
              setText('');
              save.mutate(null);
            }}
            disabled={save.isPending}
          >
            REMOVE KEYS
          </Button>
        ) : null}
      </Box>
    </Paper>
  );
}

function Detail({ label, children }: { label: string; children: ReactNode }) {
  return (
    <Box sx={{ minWidth: 0 }}>
      <Typography variant="caption" color="text.secondary" component="dt">
        {label}
      </Typography>
      <Typography variant="body2" component="dd" sx={{ m: 0, wordBreak: 'break-word' }}>
        {children}
      </Typography>
    </Box>
  );
}

/** One application: details, edit, token file, secret, (de)activation, keys, delete. */
export function AppScreen() {
  const { tenant } = useSession();
  const { id } = useParams();
  const qc = useQueryClient();
  const toast = useToast();
  const navigate = useNavigate();
  const base = `${tenantBase(tenant)}/manage/apps`;
  const [dialog, setDialog] = useState<'edit' | 'token' | 'secret' | 'toggle' | 'delete' | null>(null);
  const [secret, setSecret] = useState<CreatedApp | null>(null);
  const q = useQuery({
    queryKey: ['apps', tenant, 'one', id],
    queryFn: () => call(api.GET('/t/{tenant}/api/v1/apps/{id}', { params: { path: { tenant, id: id! } } })),
  });
  const refresh = () => void qc.invalidateQueries({ queryKey: ['apps', tenant] });
  const regenerate = useMutation({
    mutationFn: (overlapSeconds: number) =>
      call(
        api.POST('/t/{tenant}/api/v1/apps/{id}/secret', {
          params: { path: { tenant, id: id! } },
          body: { overlapSeconds },
        }),
      ),
    gcTime: 0,
    onSuccess: (a) => {
      setDialog(null);
      setSecret(a);
      refresh();
    },
    onError: (err) => toast(messageOf(err), 'error'),
  });
  const toggle = useMutation({
    mutationFn: (active: boolean) =>
      call(
        api.POST(active ? '/t/{tenant}/api/v1/apps/{id}/activate' : '/t/{tenant}/api/v1/apps/{id}/deactivate', {
          params: { path: { tenant, id: id! } },
        }),
      ),
    onSuccess: (a) => {
      setDialog(null);
      toast(`Application "${a.name}" ${a.status === 'active' ? 'activated' : 'deactivated'}.`);
      refresh();
    },
    onError: (err) => toast(messageOf(err), 'error'),
  });
  const remove = useMutation({
    mutationFn: () => call(api.DELETE('/t/{tenant}/api/v1/apps/{id}', { params: { path: { tenant, id: id! } } })),
    onSuccess: () => {
      toast(`Application "${q.data?.name}" deleted.`);
      qc.removeQueries({ queryKey: ['apps', tenant, 'one', id] });
      refresh();
      navigate(base);
    },
    onError: (err) => toast(messageOf(err), 'error'),
  });

  const back = (
    <MuiLink component={Link} to={base} sx={{ display: 'inline-flex', alignItems: 'center', gap: 0.5, mb: 1 }}>
      <ArrowBack fontSize="small" />
      All applications
    </MuiLink>
  );
  if (q.isPending)
    return (
      <>
        {back}
        <Loading label="Loading the application" />
      </>
    );
  if (q.isError)
    return (
      <>
        {back}
        <ErrorState error={q.error} retry={() => void q.refetch()} />
      </>
    );
  const app = q.data;
  const active = app.status === 'active';
  return (
    <Box>
      {back}
      <Box sx={{ display: 'flex', alignItems: 'center', gap: 1.5, flexWrap: 'wrap', mb: 2 }}>
        <Typography variant="h5" component="h2" sx={{ wordBreak: 'break-word' }}>
          {app.name}
        </Typography>
        <AppStatusChip status={app.status} />
      </Box>
      {!active ? (
        <Alert severity="warning" sx={{ mb: 2 }}>
          This application is deactivated: every grant is refused and its tokens introspect as inactive until you
          activate it.
        </Alert>
      ) : null}
      <Box sx={{ display: 'flex', gap: 1, flexWrap: 'wrap', mb: 2 }}>
        <Button variant="contained" onClick={() => setDialog('token')} disabled={!active}>
          GENERATE ACCESS TOKEN
        </Button>
        <Button variant="outlined" onClick={() => setDialog('edit')}>
          EDIT
        </Button>
        <Button variant="outlined" onClick={() => setDialog('secret')}>
          REGENERATE SECRET
        </Button>
        <Button variant="outlined" color={active ? 'warning' : 'success'} onClick={() => setDialog('toggle')}>
          {active ? 'DEACTIVATE' : 'ACTIVATE'}
        </Button>
        <Button color="error" onClick={() => setDialog('delete')}>
          DELETE
        </Button>
      </Box>
      <Paper variant="outlined" sx={{ p: 2 }}>
        <Box component="dl" sx={{ m: 0, display: 'grid', gridTemplateColumns: { xs: '1fr', sm: '1fr 1fr' }, gap: 2 }}>
          <Detail label="Client ID">
            <code>{app.clientId}</code>
            <CopyButton value={app.clientId} label="Copy client ID" />
          </Detail>
          <Detail label="Description">{app.description || '—'}</Detail>
          <Detail label="Grants">{app.grantTypes.map(grantLabel).join(', ')}</Detail>
          <Detail label="Scopes">
            <code>{app.scopes.join(' ') || 'none'}</code>
          </Detail>
          <Detail label="Created">{formatDateTime(app.createdAt)}</Detail>
          {app.previousSecretExpiresAt ? (
            <Detail label="Old secret">works until {formatDateTime(app.previousSecretExpiresAt)}</Detail>
          ) : null}
          <Detail label="Last used">{app.lastUsedAt ? formatDateTime(app.lastUsedAt) : 'Never'}</Detail>
          {app.lastUsedAt && (app.lastUsedAddress || app.lastUsedUserAgent) ? (
            <Detail label="Last used from">
              {[app.lastUsedAddress, app.lastUsedUserAgent].filter(Boolean).join(' · ')}
            </Detail>
          ) : null}
        </Box>
      </Paper>
      {app.grantTypes.includes(JWT_BEARER) ? <KeysPanel key={app.updatedAt} app={app} /> : null}

      {dialog === 'edit' ? <EditAppDialog app={app} onClose={() => setDialog(null)} /> : null}
      {dialog === 'token' ? <TokenDialog app={app} onClose={() => setDialog(null)} /> : null}
      {dialog === 'delete' ? (
        <DeleteAppDialog
          app={app}
          busy={remove.isPending}
          onConfirm={() => remove.mutate()}
          onClose={() => setDialog(null)}
        />
      ) : null}
      {dialog === 'secret' ? (
        <RotateSecretDialog
          title={`Regenerate the secret of "${app.name}"?`}
          confirmLabel="REGENERATE"
          busy={regenerate.isPending}
          onClose={() => setDialog(null)}
          onConfirm={(overlapSeconds) => regenerate.mutate(overlapSeconds)}
          consequence={(until) =>
            until === null ? (
              <>
                The current secret stops working <strong>now</strong>, and{' '}
                <strong>every refresh token of this application stops working</strong>, with the access tokens they
                gave: token files handed out so far become useless.
              </>
            ) : (
              <>
                The current secret, its tokens and the token files handed out keep working until{' '}
                <strong>{until}</strong>, then stop. A token file refreshed with the new secret before then keeps
                working.
              </>
            )
          }
        >
          The client ID stays the same. The new secret is shown once.
        </RotateSecretDialog>
      ) : null}
      {/* One dialog each: a closing dialog keeps its own words while the status changes under it. */}
      <ConfirmDialog
        open={dialog === 'toggle' && active}
        title={`Deactivate "${app.name}"?`}
        confirmLabel="DEACTIVATE"
        busy={toggle.isPending}
        onClose={() => setDialog(null)}
        onConfirm={() => toggle.mutate(false)}
      >
        Every grant of this application is refused and its tokens introspect as inactive until you activate it again.
        Nothing is deleted.
      </ConfirmDialog>
      <ConfirmDialog
        open={dialog === 'toggle' && !active}
        title={`Activate "${app.name}"?`}
        danger={false}
        confirmLabel="ACTIVATE"
        busy={toggle.isPending}
        onClose={() => setDialog(null)}
        onConfirm={() => toggle.mutate(true)}
      >
        The application can get tokens again, and its refresh tokens that have not expired work again.
      </ConfirmDialog>
      {secret ? (
        <AppSecretDialog
          app={secret}
          regenerated
          title={`New secret of "${secret.name}"`}
          onClose={() => {
            setSecret(null);
            toast('Secret regenerated.');
          }}
        />
      ) : null}
    </Box>
  );
}
