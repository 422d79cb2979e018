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
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { api, call } from '../../api/client';
import { messageOf } from '../../api/problem';
import type { Resource } from '../../api/types';
import { useSession } from '../../session/session';
import { useToast } from '../../components/toasts';
import { ConfirmDialog } from '../../components/ConfirmDialog';
import { EmptyState, ErrorState, Loading } from '../../components/States';
import { resourcesQuery } from './CreateAppWizard';

const splitScopes = (text: string) => [...new Set(text.split(/[\s,]+/).filter(Boolean))];

function AddApiDialog({ onClose }: { onClose(): void }) {
  const { tenant } = useSession();
  const qc = useQueryClient();
  const toast = useToast();
  const [name, setName] = useState('');
  const [audience, setAudience] = useState('');
  const [scopes, setScopes] = useState('');
  const add = useMutation({
    mutationFn: () =>
      call(
        api.POST('/t/{tenant}/api/v1/resources', {
          params: { path: { tenant } },
          body: { name: name.trim(), audience: audience.trim(), scopes: splitScopes(scopes) },
        }),
      ),
    onSuccess: (r) => {
      toast(`API "${r.name}" added.`);
      void qc.invalidateQueries({ queryKey: ['resources', tenant] });
      onClose();
    },
  });
  const submit = (e: FormEvent) => {
    e.preventDefault();
    if (name.trim() && audience.trim()) add.mutate();
  };
  return (
    <Dialog open onClose={add.isPending ? undefined : onClose} aria-labelledby="add-api-title" fullWidth maxWidth="sm">
      <form onSubmit={submit} noValidate>
        <DialogTitle id="add-api-title">Add an API</DialogTitle>
        <DialogContent sx={{ display: 'flex', flexDirection: 'column', gap: 2 }}>
          {add.isError ? <Alert severity="error">{messageOf(add.error)}</Alert> : null}
          <TextField
            label="Name"
            required
            autoFocus
            value={name}
            onChange={(e) => setName(e.target.value)}
            sx={{ mt: 1 }}
          />
          <TextField
            label="Audience"
            required
            value={audience}
            onChange={(e) => setAudience(e.target.value)}
            helperText='The "aud" claim of tokens for this API, e.g. https://billing.example.com.'
          />
          <TextField
            label="Scopes"
            value={scopes}
            onChange={(e) => setScopes(e.target.value)}
            helperText="Separated by spaces, e.g. invoices:read invoices:write."
          />
        </DialogContent>
        <DialogActions>
          <Button onClick={onClose} disabled={add.isPending}>
            CANCEL
          </Button>
          <Button type="submit" variant="contained" disabled={add.isPending || !name.trim() || !audience.trim()}>
            ADD
          </Button>
        </DialogActions>
      </form>
    </Dialog>
  );
}

/** One API: its audience and scopes; a scope is added here, or removed once no role or application holds it. */
function ResourceCard({ resource, grantedBy }: { resource: Resource; grantedBy: (scope: string) => string[] }) {
  const { tenant } = useSession();
  const qc = useQueryClient();
  const toast = useToast();
  const [scope, setScope] = useState('');
  const [removing, setRemoving] = useState<string | null>(null);
  const patch = useMutation({
    mutationFn: (scopes: string[]) =>
      call(
        api.PATCH('/t/{tenant}/api/v1/resources/{id}', {
          params: { path: { tenant, id: resource.id } },
          body: { scopes },
        }),
      ),
    onSuccess: (_, scopes) => {
      toast(scopes.length > resource.scopes.length ? 'Scope added.' : `Scope ${removing} removed.`);
      setScope('');
      setRemoving(null);
      void qc.invalidateQueries({ queryKey: ['resources', tenant] });
    },
  });
  const add = (e: FormEvent) => {
    e.preventDefault();
    const s = splitScopes(scope);
    if (s.length) patch.mutate([...resource.scopes, ...s]);
  };
  return (
    <Paper variant="outlined" sx={{ p: 2, mb: 2 }} component="section" aria-labelledby={`res-${resource.id}`}>
      <Typography variant="h6" component="h3" id={`res-${resource.id}`}>
        {resource.name}
      </Typography>
      <Typography variant="body2" color="text.secondary" sx={{ wordBreak: 'break-all' }}>
        Audience: <code>{resource.audience}</code>
      </Typography>
      {patch.isError && !removing ? (
        <Alert severity="error" sx={{ mt: 1 }}>
          {messageOf(patch.error)}
        </Alert>
      ) : null}
      <Box sx={{ display: 'flex', gap: 1, flexWrap: 'wrap', my: 1.5 }}>
        {resource.scopes.length === 0 ? (
          <Typography variant="body2" color="text.secondary">
            No scopes yet.
          </Typography>
        ) : null}
        {resource.scopes.map((s) => (
          // The chip is one button: click, Delete or Backspace asks to remove the scope.
          <Chip
            key={s}
            label={s}
            aria-label={`Remove scope ${s}`}
            title={`Remove scope ${s}`}
            onClick={() => {
              patch.reset();
              setRemoving(s);
            }}
            onDelete={() => {
              patch.reset();
              setRemoving(s);
            }}
          />
        ))}
      </Box>
      <Box component="form" onSubmit={add} sx={{ display: 'flex', gap: 1, flexWrap: 'wrap' }}>
        <TextField
          size="small"
          label={`New scope for ${resource.name}`}
          value={scope}
          onChange={(e) => setScope(e.target.value)}
          sx={{ flex: '1 1 220px' }}
        />
        <Button type="submit" variant="outlined" disabled={patch.isPending || !scope.trim()}>
          ADD SCOPE
        </Button>
      </Box>
      <ConfirmDialog
        open={removing !== null}
        title={`Remove scope "${removing ?? ''}"?`}
        confirmLabel="REMOVE"
        busy={patch.isPending}
        onClose={() => {
          setRemoving(null);
          patch.reset();
        }}
        onConfirm={() => removing && patch.mutate(resource.scopes.filter((x) => x !== removing))}
      >
        {patch.isError ? (
          <Alert severity="error" sx={{ mb: 1 }}>
            {messageOf(patch.error)} Take the scope away from them first.
          </Alert>
        ) : null}
        {removing && grantedBy(removing).length ? (
          <>
            Roles that grant it: {grantedBy(removing).join(', ')}. Latchkey refuses while a role or an application still
            holds it.
          </>
        ) : (
          <>
            Tokens can no longer be asked for this scope. Latchkey refuses if a role or an application still holds it.
          </>
        )}
      </ConfirmDialog>
    </Paper>
  );
}

/** Says in words what one scope allows; the API keeps every description of the resource at once. */
function DescribeScopeDialog({ resource, scope, onClose }: { resource: Resource; scope: string; onClose(): void }) {
  const { tenant } = useSession();
  const qc = useQueryClient();
  const toast = useToast();
  const [text, setText] = useState(resource.scopeDescriptions[scope] ?? '');
  const save = useMutation({
    mutationFn: () =>
      call(
        api.PATCH('/t/{tenant}/api/v1/resources/{id}', {
          params: { path: { tenant, id: resource.id } },
          body: { scopeDescriptions: { ...resource.scopeDescriptions, [scope]: text.trim() } },
        }),
      ),
    onSuccess: () => {
      toast(text.trim() ? `Scope ${scope} described.` : `Description of ${scope} removed.`);
      void qc.invalidateQueries({ queryKey: ['resources', tenant] });
      onClose();
    },
  });
  return (
    <Dialog open onClose={onClose} fullWidth maxWidth="sm" aria-labelledby="describe-scope-title">
      <Box
        component="form"
        onSubmit={(e: FormEvent) => {
          e.preventDefault();
          save.mutate();
        }}
      >
        <DialogTitle id="describe-scope-title">
          Describe scope <code>{scope}</code>
        </DialogTitle>
        <DialogContent>
          {save.isError ? (
            <Alert severity="error" sx={{ mb: 2 }}>
              {messageOf(save.error)}
            </Alert>
          ) : null}
          <TextField
            autoFocus
            fullWidth
            margin="dense"
            label="What this scope allows"
            value={text}
            onChange={(e) => setText(e.target.value)}
            slotProps={{ htmlInput: { maxLength: 200 } }}
            helperText="One line, shown to the people who grant it. Leave empty to remove it."
          />
        </DialogContent>
        <DialogActions>
          <Button onClick={onClose}>CANCEL</Button>
          <Button type="submit" variant="contained" disabled={save.isPending}>
            SAVE
          </Button>
        </DialogActions>
      </Box>
    </Dialog>
  );
}

/** The APIs tokens are for, their scopes, and which roles grant which scopes. */
export function ResourcesScreen() {
  const { tenant } = useSession();
  const [adding, setAdding] = useState(false);
  const [describing, setDescribing] = useState<{ resource: Resource; scope: string } | null>(null);
  const resources = useQuery(resourcesQuery(tenant));
  const roles = useQuery({
    queryKey: ['roles', tenant],
    queryFn: () => call(api.GET('/t/{tenant}/api/v1/roles', { params: { path: { tenant } } })),
  });
  const grantedBy = (scope: string) =>
    (roles.data?.items ?? []).filter((r) => r.scopes.includes(scope)).map((r) => r.name);
  const allScopes = (resources.data?.items ?? []).flatMap((r) => r.scopes.map((s) => ({ s, resource: r })));
  return (
    <Box>
      <Box sx={{ display: 'flex', gap: 1, flexWrap: 'wrap', alignItems: 'center', mb: 2 }}>
        <Typography variant="h6" component="h2" sx={{ flexGrow: 1 }}>
          APIs and scopes
        </Typography>
        <Button variant="contained" startIcon={<AddIcon />} onClick={() => setAdding(true)}>
          ADD API
        </Button>
      </Box>
      {resources.isPending ? <Loading label="Loading APIs" /> : null}
      {resources.isError ? <ErrorState error={resources.error} retry={() => void resources.refetch()} /> : null}
      {resources.isSuccess && resources.data.items.length === 0 ? (
        <Paper variant="outlined">
          <EmptyState title="No APIs yet">
            An API has an audience (the tokens' "aud") and named scopes that roles and applications grant.
          </EmptyState>
        </Paper>
      ) : null}
      {resources.data?.items.map((r) => (
        <ResourceCard key={r.id} resource={r} grantedBy={grantedBy} />
      ))}
      {resources.isSuccess && allScopes.length ? (
        <>
          <Typography variant="h6" component="h2" sx={{ mt: 3, mb: 1 }}>
            Which roles grant which scopes
          </Typography>
          {roles.isError ? (
            <ErrorState error={roles.error} retry={() => void roles.refetch()} />
          ) : (
            <Paper variant="outlined">
              <TableContainer tabIndex={0} role="region" aria-label="Scopes granted by roles, scrollable">
                <Table size="small" aria-label="Scopes granted by roles">
                  <TableHead>
                    <TableRow>
                      <TableCell>Scope</TableCell>
                      <TableCell>What it allows</TableCell>
                      <TableCell>API</TableCell>
                      <TableCell>Granted by roles</TableCell>
                    </TableRow>
                  </TableHead>
                  <TableBody>
                    {allScopes.map(({ s, resource: r }) => (
                      <TableRow key={s}>
                        <TableCell>
                          <code>{s}</code>
                        </TableCell>
                        <TableCell>
                          {r.scopeDescriptions[s] ?? (
                            <Typography component="span" variant="body2" color="text.secondary">
                              not described
                            </Typography>
                          )}
                          <Button
                            size="small"
                            sx={{ ml: 1 }}
                            aria-label={`Describe scope ${s}`}
                            onClick={() => setDescribing({ resource: r, scope: s })}
                          >
                            DESCRIBE
                          </Button>
                        </TableCell>
                        <TableCell>{r.name}</TableCell>
                        <TableCell>
                          {grantedBy(s).join(', ') || (
                            <Typography component="span" variant="body2" color="text.secondary">
                              no role
                            </Typography>
                          )}
                        </TableCell>
                      </TableRow>
                    ))}
                  </TableBody>
                </Table>
              </TableContainer>
            </Paper>
          )}
        </>
      ) : null}
      {adding ? <AddApiDialog onClose={() => setAdding(false)} /> : null}
      {describing ? (
        <DescribeScopeDialog
          resource={describing.resource}
          scope={describing.scope}
          onClose={() => setDescribing(null)}
        />
      ) : null}
    </Box>
  );
}
