import { useState } from 'react';
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
  FormGroup,
  FormHelperText,
  FormLabel,
  TextField,
  Typography,
} from '@mui/material';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { api, call } from '../../api/client';
import { messageOf } from '../../api/problem';
import type { CreatedWebhook, NewWebhook, Webhook, WebhookEventType } from '../../api/types';
import { useSession } from '../../session/session';
import { useToast } from '../../components/toasts';
import { ErrorState, Loading } from '../../components/States';
import { SecretField } from '../SecretDialog';

type EventName = NewWebhook['events'][number];

/** The events an endpoint may subscribe to, with what each means (the server's list). */
export const eventTypesQuery = (tenant: string) => ({
  queryKey: ['webhooks', tenant, 'event-types'],
  queryFn: () => call(api.GET('/t/{tenant}/api/v1/webhooks/event-types', { params: { path: { tenant } } })),
  staleTime: Infinity,
});

/** What the console checks before sending (the server checks again and says why it refuses). */
export function urlProblem(url: string): string | null {
  const u = url.trim();
  if (!u) return 'Enter the URL that receives the events.';
  let parsed: URL;
  try {
    parsed = new URL(u);
  } catch {
    return 'Enter an absolute URL, e.g. https://hooks.example.com/latchkey.';
  }
  if (parsed.protocol !== 'https:' && parsed.protocol !== 'http:')
    return 'The URL must start with https:// (plain http:// only to a loopback address).';
  return null;
}

function EventPicker({
  types,
  value,
  onChange,
  error,
}: {
  types: WebhookEventType[];
  value: string[];
  onChange(v: string[]): void;
  error?: string;
}) {
  const toggle = (t: string, on: boolean) => onChange(on ? [...value, t].sort() : value.filter((x) => x !== t));
  const all = types.length > 0 && types.every((t) => value.includes(t.type));
  return (
    <Box component="fieldset" sx={{ border: 0, p: 0, m: 0 }} aria-describedby={error ? 'events-error' : undefined}>
      <FormLabel component="legend">Events</FormLabel>
      <FormControlLabel
        label="All events"
        control={
          <Checkbox
            size="small"
            checked={all}
            onChange={(e) => onChange(e.target.checked ? types.map((t) => t.type).sort() : [])}
          />
        }
      />
      <FormGroup sx={{ pl: { xs: 0, sm: 2 } }}>
        {types.map((t) => (
          <FormControlLabel
            key={t.type}
            sx={{ alignItems: 'flex-start', mt: 0.5 }}
            control={
              <Checkbox
                size="small"
                checked={value.includes(t.type)}
                sx={{ pt: 0.25 }}
                onChange={(e) => toggle(t.type, e.target.checked)}
              />
            }
            label={
              <span>
                <code>{t.type}</code>
                <Typography component="span" variant="body2" color="text.secondary" sx={{ display: 'block' }}>
                  {t.description}
                </Typography>
              </span>
            }
          />
        ))}
      </FormGroup>
      {error ? (
        <FormHelperText error id="events-error">
          {error}
        </FormHelperText>
      ) : null}
    </Box>
  );
}

/**
 * ADD ENDPOINT and EDIT: URL, description and events. Creating answers the signing secret, handed
 * to `onCreated` (and kept nowhere else).
 */
export function EndpointDialog({
  endpoint,
  onClose,
  onCreated,
}: {
  endpoint?: Webhook;
  onClose(): void;
  onCreated?(created: CreatedWebhook): void;
}) {
  const { tenant } = useSession();
  const qc = useQueryClient();
  const toast = useToast();
  const types = useQuery(eventTypesQuery(tenant));
  const [url, setUrl] = useState(endpoint?.url ?? '');
  const [description, setDescription] = useState(endpoint?.description ?? '');
  const [events, setEvents] = useState<string[]>(endpoint?.events ?? []);
  const [touched, setTouched] = useState(false);
  const save = useMutation({
    mutationFn: async () => {
      const body = { url: url.trim(), description: description.trim(), events: events as EventName[] };
      if (endpoint)
        return call(
          api.PATCH('/t/{tenant}/api/v1/webhooks/{id}', { params: { path: { tenant, id: endpoint.id } }, body }),
        );
      return call(api.POST('/t/{tenant}/api/v1/webhooks', { params: { path: { tenant } }, body }));
    },
    // The answer to a create holds the secret: no cache keeps it.
    gcTime: 0,
    onSuccess: (saved) => {
      void qc.invalidateQueries({ queryKey: ['webhooks', tenant] });
      if (endpoint) {
        toast('Endpoint saved.');
        onClose();
      } else onCreated?.(saved as CreatedWebhook);
    },
  });
  const urlError = urlProblem(url);
  const eventsError = events.length === 0 ? 'Choose at least one event.' : undefined;
  const submit = () => {
    setTouched(true);
    if (!urlError && !eventsError) save.mutate();
  };
  return (
    <Dialog
      open
      onClose={save.isPending ? undefined : onClose}
      aria-labelledby="endpoint-title"
      fullWidth
      maxWidth="sm"
    >
      <DialogTitle id="endpoint-title">{endpoint ? 'Edit the endpoint' : 'Add a webhook endpoint'}</DialogTitle>
      <DialogContent sx={{ display: 'flex', flexDirection: 'column', gap: 2 }}>
        {save.isError ? <Alert severity="error">{messageOf(save.error)}</Alert> : null}
        <TextField
          label="URL"
          required
          value={url}
          onChange={(e) => setUrl(e.target.value)}
          onBlur={() => url && setTouched(true)}
          error={touched && !!urlError}
          helperText={
            touched && urlError
              ? urlError
              : 'Latchkey POSTs each event here, signed (Standard Webhooks). https, or http to a loopback address.'
          }
          placeholder="https://hooks.example.com/latchkey"
          slotProps={{ htmlInput: { inputMode: 'url', spellCheck: false } }}
          sx={{ mt: 1 }}
        />
        <TextField
          label="Description"
          value={description}
          onChange={(e) => setDescription(e.target.value)}
          helperText="What receives the events, for the next manager."
          slotProps={{ htmlInput: { maxLength: 1000 } }}
        />
        {types.isPending ? <Loading label="Loading event types" /> : null}
        {types.isError ? <ErrorState error={types.error} retry={() => void types.refetch()} /> : null}
        {types.isSuccess ? (
          <EventPicker
            types={types.data.items}
            value={events}
            onChange={setEvents}
            error={touched ? eventsError : undefined}
          />
        ) : null}
      </DialogContent>
      <DialogActions>
        <Button onClick={onClose} disabled={save.isPending}>
          CANCEL
        </Button>
        <Button variant="contained" onClick={submit} disabled={save.isPending}>
          {endpoint ? 'SAVE' : 'CREATE'}
        </Button>
      </DialogActions>
    </Dialog>
  );
}

/** The only time a signing secret is shown. Closing drops it: the caller keeps no copy. */
export function WebhookSecretDialog({
  created,
  title,
  onClose,
}: {
  created: CreatedWebhook;
  title: string;
  onClose(): void;
}) {
  return (
    <Dialog
      open
      onClose={(_, reason) => reason !== 'backdropClick' && onClose()}
      aria-labelledby="webhook-secret-title"
      fullWidth
      maxWidth="sm"
    >
      <DialogTitle id="webhook-secret-title">{title}</DialogTitle>
      <DialogContent sx={{ display: 'flex', flexDirection: 'column', gap: 2 }}>
        <Alert severity="warning">
          Copy the signing secret now. It will not be shown again. If you lose it, rotate it on the endpoint&apos;s
          page.
        </Alert>
        <SecretField label="Signing secret" value={created.secret} id="webhook-signing-secret" />
        <Typography variant="body2" color="text.secondary">
          Your receiver checks each delivery&apos;s <code>webhook-signature</code> header with it (HMAC-SHA256 over{' '}
          <code>webhook-id.webhook-timestamp.body</code>), and refuses what does not verify.
        </Typography>
      </DialogContent>
      <DialogActions>
        <Button variant="contained" onClick={onClose}>
          CLOSE
        </Button>
      </DialogActions>
    </Dialog>
  );
}
