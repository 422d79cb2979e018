import { tenantBase } from '../../site';
import { useState } from 'react';
import {
  Box,
  Button,
  Link as MuiLink,
  Paper,
  Switch,
  Table,
  TableBody,
  TableCell,
  TableContainer,
  TableHead,
  TableRow,
  Typography,
} from '@mui/material';
import AddIcon from '@mui/icons-material/Add';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { Link, useNavigate } from 'react-router';
import { api, call } from '../../api/client';
import { messageOf } from '../../api/problem';
import type { CreatedWebhook, Webhook } from '../../api/types';
import { useSession } from '../../session/session';
import { useToast } from '../../components/toasts';
import { CursorPager, useCursorPages } from '../../components/CursorPager';
import { EmptyState, ErrorState, Loading, Refreshing } from '../../components/States';
import { formatDateTimeSeconds as formatDateTime } from '../../components/format';
import { EndpointDialog, WebhookSecretDialog } from './WebhookDialogs';
import { DeliveryStatusChip, responseText } from './DeliveryStatus';

/** PATCH {enabled}: the list's switch and the endpoint page's share it. */
export function useToggleEndpoint() {
  const { tenant } = useSession();
  const qc = useQueryClient();
  const toast = useToast();
  return useMutation({
    mutationFn: ({ id, enabled }: { id: string; enabled: boolean }) =>
      call(api.PATCH('/t/{tenant}/api/v1/webhooks/{id}', { params: { path: { tenant, id } }, body: { enabled } })),
    onSuccess: (e) => {
      toast(
        e.enabled
          ? 'Endpoint enabled: events are sent to it again.'
          : 'Endpoint disabled: no events are queued for it until you enable it.',
      );
      void qc.invalidateQueries({ queryKey: ['webhooks', tenant] });
    },
    onError: (err) => toast(messageOf(err), 'error'),
  });
}

// While a last delivery is queued or retrying, the list and the endpoint's page read themselves again
// (only while the tab is in front): the status changes without REFRESH.
export const whilePending = (items: Webhook[] | undefined) =>
  items?.some((e) => e.lastDelivery?.state === 'pending') ? 5000 : false;

export function LastDelivery({ last }: { last: Webhook['lastDelivery'] }) {
  if (!last) return <Typography variant="body2">Nothing sent yet</Typography>;
  return (
    <Box>
      <DeliveryStatusChip state={last.state} attempts={last.attempts} />
      <Typography variant="caption" color="text.secondary" component="div">
        <code>{last.eventType}</code>
        {last.lastAttemptAt
          ? ` · ${responseText(last.lastStatusCode, last.lastError)} · ${formatDateTime(last.lastAttemptAt)}`
          : ` · queued ${formatDateTime(last.createdAt)}`}
      </Typography>
    </Box>
  );
}

/** The domain's webhook endpoints: URL, events, enabled, how the last delivery went; ADD ENDPOINT. */
export function WebhooksScreen() {
  const { tenant } = useSession();
  const navigate = useNavigate();
  const toast = useToast();
  const pages = useCursorPages(50);
  const [adding, setAdding] = useState(false);
  const [created, setCreated] = useState<CreatedWebhook | null>(null);
  const toggle = useToggleEndpoint();
  const query = { limit: pages.limit, ...(pages.cursor ? { cursor: pages.cursor } : {}) };
  const list = useQuery({
    queryKey: ['webhooks', tenant, 'list', query],
    queryFn: () => call(api.GET('/t/{tenant}/api/v1/webhooks', { params: { path: { tenant }, query } })),
    placeholderData: (prev) => prev,
    refetchInterval: (q) => whilePending(q.state.data?.items),
  });
  const items = list.data?.items ?? [];
  const base = `${tenantBase(tenant)}/manage/webhooks`;
  const add = (
    <Button variant="contained" startIcon={<AddIcon />} onClick={() => setAdding(true)}>
      ADD ENDPOINT
    </Button>
  );
  return (
    <Box>
      <Box sx={{ display: 'flex', gap: 1, flexWrap: 'wrap', alignItems: 'center', mb: 2 }}>
        <Box sx={{ flexGrow: 1, minWidth: 240 }}>
          <Typography variant="h6" component="h2">
            Webhooks
          </Typography>
          <Typography variant="body2" color="text.secondary">
            Latchkey tells these URLs about credential events (revoked, leaked, expiring…), signed and retried for a
            day.
          </Typography>
        </Box>
        {add}
      </Box>
      {list.isPending ? <Loading label="Loading webhook endpoints" /> : null}
      {list.isError ? <ErrorState error={list.error} retry={() => void list.refetch()} /> : null}
      {list.isSuccess ? (
        <Paper variant="outlined">
          <Refreshing active={list.isPlaceholderData} />
          {items.length === 0 ? (
            <EmptyState title="No webhook endpoints yet" action={add}>
              An endpoint is a URL of yours that receives the events you pick, each signed with the endpoint&apos;s
              secret, so your systems learn at once when a credential is revoked, expires or leaks.
            </EmptyState>
          ) : (
            <TableContainer tabIndex={0} role="region" aria-label="Webhook endpoints, scrollable">
              <Table size="small" aria-label="Webhook endpoints">
                <TableHead>
                  <TableRow>
                    <TableCell>URL</TableCell>
                    <TableCell>Events</TableCell>
                    <TableCell>Enabled</TableCell>
                    <TableCell>Last delivery</TableCell>
                  </TableRow>
                </TableHead>
                <TableBody>
                  {items.map((e) => (
                    <TableRow key={e.id} hover>
                      <TableCell sx={{ wordBreak: 'break-all', minWidth: 180 }}>
                        <MuiLink component={Link} to={`${base}/${e.id}`} sx={{ fontWeight: 500 }}>
                          {e.url}
                        </MuiLink>
                        {e.description ? (
                          <Typography variant="caption" color="text.secondary" component="div">
                            {e.description}
                          </Typography>
                        ) : null}
                      </TableCell>
                      <TableCell>
                        {e.events.map((ev) => (
                          <Typography key={ev} variant="body2" component="div">
                            <code>{ev}</code>
                          </Typography>
                        ))}
                      </TableCell>
                      <TableCell>
                        <Switch
                          checked={e.enabled}
                          disabled={toggle.isPending && toggle.variables?.id === e.id}
                          onChange={(_, enabled) => toggle.mutate({ id: e.id, enabled })}
                          slotProps={{ input: { 'aria-label': `Enabled: ${e.url}` } }}
                        />
                      </TableCell>
                      <TableCell sx={{ minWidth: 170 }}>
                        <LastDelivery last={e.lastDelivery} />
                      </TableCell>
                    </TableRow>
                  ))}
                </TableBody>
              </Table>
            </TableContainer>
          )}
          {list.data.nextCursor || pages.page > 1 ? (
            <CursorPager pages={pages} nextCursor={list.data.nextCursor} shown={items.length} />
          ) : null}
        </Paper>
      ) : null}
      {adding ? (
        <EndpointDialog
          onClose={() => setAdding(false)}
          onCreated={(c) => {
            setAdding(false);
            setCreated(c);
          }}
        />
      ) : null}
      {/* The secret lives only in this state: CLOSE drops it and opens the endpoint's page. */}
      {created ? (
        <WebhookSecretDialog
          created={created}
          title="Endpoint created"
          onClose={() => {
            const id = created.id;
            setCreated(null);
            toast('Endpoint created. SEND TEST EVENT checks that it receives and verifies deliveries.');
            navigate(`${base}/${id}`);
          }}
        />
      ) : null}
    </Box>
  );
}
