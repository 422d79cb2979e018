import { useState } from 'react';
import {
  Alert,
  Button,
  Checkbox,
  Dialog,
  DialogActions,
  DialogContent,
  DialogContentText,
  DialogTitle,
  FormControlLabel,
  TextField,
  Typography,
} from '@mui/material';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { api, call } from '../../api/client';
import { messageOf } from '../../api/problem';
import type { App, AppPatch, TokFile } from '../../api/types';
import { useSession } from '../../session/session';
import { useToast } from '../../components/toasts';
import { Loading } from '../../components/States';
import { GrantPicker, resourcesQuery } from './CreateAppWizard';
import { ScopePicker } from './ScopePicker';
import { duration } from './grants';

export const settingsQuery = (tenant: string) => ({
  queryKey: ['settings', tenant],
  queryFn: () => call(api.GET('/t/{tenant}/api/v1/settings', { params: { path: { tenant } } })),
});

/** The file name the server suggests too: the name in lowercase, other characters as hyphens. */
export const tokFileName = (name: string) =>
  (name
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-|-$/g, '') || 'app') + '.tok';

function saveFile(name: string, doc: TokFile) {
  const url = URL.createObjectURL(new Blob([JSON.stringify(doc, null, 2)], { type: 'application/json' }));
  const a = document.createElement('a');
  a.href = url;
  a.download = name;
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 1000);
}

/** Custom scopes (only the app's), an optional refresh token; the file is saved and nothing stays in the page. */
export function TokenDialog({ app, onClose }: { app: App; onClose(): void }) {
  const { tenant } = useSession();
  const toast = useToast();
  const resources = useQuery(resourcesQuery(tenant));
  const settings = useQuery(settingsQuery(tenant));
  const [scopes, setScopes] = useState(app.scopes);
  const [refresh, setRefresh] = useState(app.grantTypes.includes('refresh_token'));
  const canRefresh = app.grantTypes.includes('refresh_token');
  const generate = useMutation({
    mutationFn: () =>
      call(
        api.POST('/t/{tenant}/api/v1/apps/{id}/tokens', {
          params: { path: { tenant, id: app.id } },
          body: { scopes, includeRefreshToken: refresh && canRefresh },
        }),
      ),
    gcTime: 0,
    onSuccess: (doc) => {
      const file = tokFileName(app.name);
      saveFile(file, doc);
      toast(`${file} downloaded. Hand it to the developer over a safe channel.`);
      onClose();
    },
  });
  const s = settings.data;
  return (
    <Dialog
      open
      onClose={generate.isPending ? undefined : onClose}
      aria-labelledby="token-title"
      fullWidth
      maxWidth="sm"
    >
      <DialogTitle id="token-title">Generate an access token for "{app.name}"</DialogTitle>
      <DialogContent sx={{ display: 'flex', flexDirection: 'column', gap: 2 }}>
        {generate.isError ? <Alert severity="error">{messageOf(generate.error)}</Alert> : null}
        {resources.isPending ? (
          <Loading label="Loading scopes" />
        ) : (
          <ScopePicker
            resources={resources.data?.items ?? []}
            only={app.scopes}
            value={scopes}
            onChange={setScopes}
            legend="Scopes of the token (only the application's)"
          />
        )}
        <FormControlLabel
          label="Include refresh token"
          disabled={!canRefresh}
          control={<Checkbox checked={refresh && canRefresh} onChange={(e) => setRefresh(e.target.checked)} />}
        />
        {!canRefresh ? (
          <Typography variant="body2" color="text.secondary">
            The application does not hold the "Refresh token" grant.
          </Typography>
        ) : null}
        <Typography variant="body2" id="token-lifetime">
          {s ? (
            <>
              The access token is valid for <strong>{duration(s.accessTokenTtlSeconds)}</strong>
              {refresh && canRefresh ? (
                <>
                  ; the refresh token for <strong>{duration(s.refreshTokenTtlSeconds)}</strong>, and it stops working
                  when the secret is regenerated
                </>
              ) : null}
              .
            </>
          ) : (
            'Lifetime: loading…'
          )}
        </Typography>
        <Typography variant="body2" color="text.secondary">
          The token file ({tokFileName(app.name)}) is a secret: whoever holds it acts as the application.
        </Typography>
      </DialogContent>
      <DialogActions>
        <Button onClick={onClose} disabled={generate.isPending}>
          CANCEL
        </Button>
        <Button variant="contained" onClick={() => generate.mutate()} disabled={generate.isPending}>
          DOWNLOAD TOKEN
        </Button>
      </DialogActions>
    </Dialog>
  );
}

/** Name, description, grants, scopes. Narrowing scopes is said before saving: it narrows what existing grants obtain. */
export function EditAppDialog({ app, onClose }: { app: App; onClose(): void }) {
  const { tenant } = useSession();
  const qc = useQueryClient();
  const toast = useToast();
  const resources = useQuery(resourcesQuery(tenant));
  const [name, setName] = useState(app.name);
  const [description, setDescription] = useState(app.description);
  const [grants, setGrants] = useState(app.grantTypes);
  const [scopes, setScopes] = useState(app.scopes);
  const removed = app.scopes.filter((s) => !scopes.includes(s));
  const save = useMutation({
    mutationFn: () =>
      call(
        api.PATCH('/t/{tenant}/api/v1/apps/{id}', {
          params: { path: { tenant, id: app.id } },
          body: {
            name: name.trim(),
            description: description.trim(),
            grantTypes: grants as AppPatch['grantTypes'],
            scopes,
          },
        }),
      ),
    onSuccess: (a) => {
      toast(`Application "${a.name}" saved.`);
      void qc.invalidateQueries({ queryKey: ['apps', tenant] });
      onClose();
    },
  });
  const invalid = !name.trim() || grants.length === 0;
  return (
    <Dialog
      open
      onClose={save.isPending ? undefined : onClose}
      aria-labelledby="edit-app-title"
      fullWidth
      maxWidth="sm"
    >
      <DialogTitle id="edit-app-title">Edit "{app.name}"</DialogTitle>
      <DialogContent sx={{ display: 'flex', flexDirection: 'column', gap: 2 }}>
        {save.isError ? <Alert severity="error">{messageOf(save.error)}</Alert> : null}
        <TextField
          label="Name"
          required
          value={name}
          onChange={(e) => setName(e.target.value)}
          error={!name.trim()}
          helperText={!name.trim() ? 'Give the application a name.' : undefined}
          sx={{ mt: 1 }}
        />
        <TextField
          label="Description"
          multiline
          minRows={2}
          value={description}
          onChange={(e) => setDescription(e.target.value)}
        />
        <GrantPicker value={grants} onChange={setGrants} />
        {grants.length === 0 ? <Alert severity="error">Choose at least one grant.</Alert> : null}
        {resources.isPending ? (
          <Loading label="Loading scopes" />
        ) : (
          <ScopePicker resources={resources.data?.items ?? []} value={scopes} onChange={setScopes} />
        )}
        {removed.length ? (
          <Alert severity="warning" role="alert">
            Removing {removed.join(', ')} narrows what this application's existing refresh tokens and token files can
            obtain: they no longer get {removed.length === 1 ? 'this scope' : 'these scopes'}.
          </Alert>
        ) : null}
      </DialogContent>
      <DialogActions>
        <Button onClick={onClose} disabled={save.isPending}>
          CANCEL
        </Button>
        <Button variant="contained" onClick={() => save.mutate()} disabled={save.isPending || invalid}>
          SAVE
        </Button>
      </DialogActions>
    </Dialog>
  );
}

/** Deleting asks for the application's name, typed: it cannot be undone. */
export function DeleteAppDialog({
  app,
  busy,
  onConfirm,
  onClose,
}: {
  app: App;
  busy: boolean;
  onConfirm(): void;
  onClose(): void;
}) {
  const [typed, setTyped] = useState('');
  return (
    <Dialog
      open
      onClose={busy ? undefined : onClose}
      aria-labelledby="delete-app-title"
      aria-describedby="delete-app-text"
    >
      <DialogTitle id="delete-app-title">Delete "{app.name}"?</DialogTitle>
      <DialogContent>
        <DialogContentText id="delete-app-text">
          The application's secret, tokens and token files stop working at once. This cannot be undone. Type the
          application's name to confirm.
        </DialogContentText>
        <TextField
          label="Application name"
          autoFocus
          fullWidth
          value={typed}
          onChange={(e) => setTyped(e.target.value)}
          sx={{ mt: 2 }}
        />
      </DialogContent>
      <DialogActions>
        <Button onClick={onClose} disabled={busy}>
          CANCEL
        </Button>
        <Button variant="contained" color="error" disabled={busy || typed !== app.name} onClick={onConfirm}>
          DELETE
        </Button>
      </DialogActions>
    </Dialog>
  );
}
