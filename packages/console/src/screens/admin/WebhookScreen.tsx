import { tenantBase } from '../../site';
import { useState, type ReactNode } from 'react';
import { Alert, Box, Button, Chip, FormControlLabel, Link as MuiLink, Paper, Switch, Typography } from '@mui/material';
import ArrowBack from '@mui/icons-material/ArrowBack';
import SendIcon from '@mui/icons-material/Send';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { Link, useNavigate, useParams } from 'react-router';
import { api, call } from '../../api/client';
import { messageOf } from '../../api/problem';
import type { CreatedWebhook, DeliveryQuery } from '../../api/types';
import { useSession } from '../../session/session';
import { useToast } from '../../components/toasts';
import { ConfirmDialog } from '../../components/ConfirmDialog';
import { useCursorPages } from '../../components/CursorPager';
import { ErrorState, Loading } from '../../components/States';
import { formatDateTime } from '../../components/format';
import { EndpointDialog, WebhookSecretDialog } from './WebhookDialogs';
import { LastDelivery, useToggleEndpoint, whilePending } from './WebhooksScreen';
import { DeliveryLog } from './DeliveryLog';

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

/** One endpoint: enable or disable, send a test event, edit, rotate the secret, delete; its delivery log. */
export function WebhookScreen() {
  const { tenant } = useSession();
  const { id } = useParams();
  const qc = useQueryClient();
  const toast = useToast();
  const navigate = useNavigate();
  const base = `${tenantBase(tenant)}/manage/webhooks`;
  const [dialog, setDialog] = useState<'edit' | 'rotate' | 'delete' | null>(null);
  const [secret, setSecret] = useState<CreatedWebhook | null>(null);
  const pages = useCursorPages(25);
  const [logState, setLogState] = useState<NonNullable<DeliveryQuery['state']> | ''>('');
  const toggle = useToggleEndpoint();
  const q = useQuery({
    queryKey: ['webhooks', tenant, 'one', id],
    queryFn: () => call(api.GET('/t/{tenant}/api/v1/webhooks/{id}', { params: { path: { tenant, id: id! } } })),
    refetchInterval: (q) => whilePending(q.state.data && [q.state.data]),
  });
  const refresh = () => void qc.invalidateQueries({ queryKey: ['webhooks', tenant] });
  const sendTest = useMutation({
    mutationFn: () =>
      call(api.POST('/t/{tenant}/api/v1/webhooks/{id}/test', { params: { path: { tenant, id: id! } } })),
    onSuccess: () => {
      // Back to the newest page of every status, where the test event is.
      setLogState('');
      pages.reset();
      toast('Test event queued. Its delivery shows in the log below.');
      refresh();
    },
    onError: (err) => toast(messageOf(err), 'error'),
  });
  const rotate = useMutation({
    mutationFn: () =>
      call(api.POST('/t/{tenant}/api/v1/webhooks/{id}/secret', { params: { path: { tenant, id: id! } } })),
    gcTime: 0,
    onSuccess: (e) => {
      setDialog(null);
      setSecret(e);
      refresh();
    },
    onError: (err) => toast(messageOf(err), 'error'),
  });
  const remove = useMutation({
    mutationFn: () => call(api.DELETE('/t/{tenant}/api/v1/webhooks/{id}', { params: { path: { tenant, id: id! } } })),
    onSuccess: () => {
      toast('Endpoint deleted.');
      qc.removeQueries({ queryKey: ['webhooks', tenant, 'one', id] });
      refresh();
      navigate(base);
    },
    onError: (err) => toast(messageOf(err), 'error'),
  });

  const back = (
    <MuiLink component={Link} to={base} sx={{ display: 'inline-flex', alignItems: 'center', gap: 0.5, mb: 1 }}>
      <ArrowBack fontSize="small" />
      All webhooks
    </MuiLink>
  );
  if (q.isPending)
    return (
      <>
        {back}
        <Loading label="Loading the endpoint" />
      </>
    );
  if (q.isError)
    return (
      <>
        {back}
        <ErrorState error={q.error} retry={() => void q.refetch()} />
      </>
    );
  const e = q.data;
  return (
    <Box>
      {back}
      <Box sx={{ display: 'flex', alignItems: 'center', gap: 1.5, flexWrap: 'wrap', mb: 2 }}>
        <Typography variant="h5" component="h2" sx={{ wordBreak: 'break-all' }}>
          {e.url}
        </Typography>
        <Chip
          size="small"
          label={e.enabled ? 'Enabled' : 'Disabled'}
          color={e.enabled ? 'success' : 'default'}
          variant={e.enabled ? 'filled' : 'outlined'}
        />
      </Box>
      {!e.enabled ? (
        <Alert severity="warning" sx={{ mb: 2 }}>
          This endpoint is disabled: no events are queued for it, and messages already queued wait until you enable it.
        </Alert>
      ) : null}
      <Box sx={{ display: 'flex', gap: 1, flexWrap: 'wrap', alignItems: 'center', mb: 2 }}>
        <Button
          variant="contained"
          startIcon={<SendIcon />}
          onClick={() => sendTest.mutate()}
          disabled={!e.enabled || sendTest.isPending}
          aria-describedby={e.enabled ? undefined : 'test-disabled'}
        >
          SEND TEST EVENT
        </Button>
        <Button variant="outlined" onClick={() => setDialog('edit')}>
          EDIT
        </Button>
        <Button variant="outlined" onClick={() => setDialog('rotate')}>
          ROTATE SECRET
        </Button>
        <Button color="error" onClick={() => setDialog('delete')}>
          DELETE
        </Button>
        <FormControlLabel
          sx={{ ml: { sm: 'auto' } }}
          label="Enabled"
          control={
            <Switch
              checked={e.enabled}
              disabled={toggle.isPending}
              onChange={(_, enabled) => toggle.mutate({ id: e.id, enabled })}
            />
          }
        />
      </Box>
      {!e.enabled ? (
        <Typography id="test-disabled" variant="body2" color="text.secondary" sx={{ mt: -1, mb: 2 }}>
          Enable the endpoint to send a test event.
        </Typography>
      ) : null}
      <Paper variant="outlined" sx={{ p: 2 }}>
        <Box component="dl" sx={{ m: 0, display: 'grid', gridTemplateColumns: { xs: '1fr', sm: '1fr 1fr' }, gap: 2 }}>
          <Detail label="Description">{e.description || '—'}</Detail>
          <Detail label="Events">
            {e.events.map((ev) => (
              <Box component="span" key={ev} sx={{ display: 'block' }}>
                <code>{ev}</code>
              </Box>
            ))}
          </Detail>
          <Detail label="Created">{formatDateTime(e.createdAt)}</Detail>
          <Detail label="Changed">{formatDateTime(e.updatedAt)}</Detail>
          <Detail label="Last delivery">
            <Box component="span" sx={{ display: 'block', mt: 0.5 }}>
              <LastDelivery last={e.lastDelivery} />
            </Box>
          </Detail>
          <Detail label="Endpoint ID">
            <code>{e.id}</code>
          </Detail>
        </Box>
      </Paper>
      <DeliveryLog endpointId={e.id} pages={pages} state={logState} onState={setLogState} />

      {dialog === 'edit' ? <EndpointDialog endpoint={e} onClose={() => setDialog(null)} /> : null}
      <ConfirmDialog
        open={dialog === 'rotate'}
        title="Rotate the signing secret?"
        confirmLabel="ROTATE"
        busy={rotate.isPending}
        onClose={() => setDialog(null)}
        onConfirm={() => rotate.mutate()}
      >
        <strong>The current secret stops at once.</strong> Every delivery from now on, retries of earlier events
        included, is signed with the new secret, so your receiver refuses them until it has the new one. The new secret
        is shown once.
      </ConfirmDialog>
      <ConfirmDialog
        open={dialog === 'delete'}
        title="Delete this endpoint?"
        confirmLabel="DELETE"
        busy={remove.isPending}
        onClose={() => setDialog(null)}
        onConfirm={() => remove.mutate()}
      >
        Latchkey stops sending events to <code>{e.url}</code> at once. Its delivery log and every message not yet
        delivered are deleted. This cannot be undone.
      </ConfirmDialog>
      {secret ? (
        <WebhookSecretDialog
          created={secret}
          title="New signing secret"
          onClose={() => {
            setSecret(null);
            toast('Signing secret rotated.');
          }}
        />
      ) : null}
    </Box>
  );
}
