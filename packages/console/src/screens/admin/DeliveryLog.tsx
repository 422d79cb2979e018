import { Fragment, useState } from 'react';
import {
  Box,
  Button,
  IconButton,
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
import RefreshIcon from '@mui/icons-material/Refresh';
import ExpandMore from '@mui/icons-material/ExpandMore';
import ExpandLess from '@mui/icons-material/ExpandLess';
import { visuallyHidden } from '@mui/utils';
import { useQuery, useQueryClient } from '@tanstack/react-query';
import { api, call } from '../../api/client';
import type { Delivery, DeliveryQuery } from '../../api/types';
import { useSession } from '../../session/session';
import { CursorPager, type CursorPages } from '../../components/CursorPager';
import { EmptyState, ErrorState, Loading, Refreshing } from '../../components/States';
import { formatDateTimeSeconds as formatDateTime } from '../../components/format';
import { DeliveryStatusChip, responseText } from './DeliveryStatus';

type State = NonNullable<DeliveryQuery['state']>;

const attemptsText = (n: number) => (n <= 1 ? String(n) : `${n} (${n - 1} ${n === 2 ? 'retry' : 'retries'})`);

// While a shown message is due within a minute, the log reads itself again every few seconds: a test
// event's delivery shows without REFRESH. A retry hours away is not worth polling for.
const SOON_MS = 60_000;
const dueSoon = (items: Delivery[]) =>
  items.some((d) => d.state === 'pending' && (!d.nextAttemptAt || Date.parse(d.nextAttemptAt) - Date.now() < SOON_MS));

function Attempts({ d }: { d: Delivery }) {
  return (
    <Table size="small" aria-label={`Attempts of ${d.messageId}`}>
      <TableHead>
        <TableRow>
          <TableCell>Attempt</TableCell>
          <TableCell>At</TableCell>
          <TableCell>Response</TableCell>
          <TableCell>Took</TableCell>
        </TableRow>
      </TableHead>
      <TableBody>
        {d.log.map((a) => (
          <TableRow key={a.attempt}>
            <TableCell>{a.attempt}</TableCell>
            <TableCell sx={{ whiteSpace: 'nowrap' }}>{formatDateTime(a.at)}</TableCell>
            <TableCell>{responseText(a.statusCode, a.error)}</TableCell>
            <TableCell>{a.durationMs} ms</TableCell>
          </TableRow>
        ))}
      </TableBody>
    </Table>
  );
}

/** An endpoint's delivery log, newest first, in server pages; each message opens to its attempts. */
export function DeliveryLog({
  endpointId,
  pages,
  state,
  onState,
}: {
  endpointId: string;
  pages: CursorPages;
  state: State | '';
  onState(s: State | ''): void;
}) {
  const { tenant } = useSession();
  const qc = useQueryClient();
  const [open, setOpen] = useState<string | null>(null);
  const query: DeliveryQuery = {
    limit: pages.limit,
    ...(state ? { state } : {}),
    ...(pages.cursor ? { cursor: pages.cursor } : {}),
  };
  const log = useQuery({
    queryKey: ['webhooks', tenant, 'deliveries', endpointId, query],
    queryFn: () =>
      call(
        api.GET('/t/{tenant}/api/v1/webhooks/{id}/deliveries', {
          params: { path: { tenant, id: endpointId }, query },
        }),
      ),
    placeholderData: (prev) => prev,
    refetchInterval: (q) => (q.state.data && dueSoon(q.state.data.items) ? 3000 : false),
  });
  const items = log.data?.items ?? [];
  return (
    <Paper variant="outlined" component="section" aria-labelledby="log-title" sx={{ mt: 2 }}>
      <Box sx={{ display: 'flex', gap: 1, alignItems: 'center', flexWrap: 'wrap', p: 2, pb: 1 }}>
        <Typography variant="h6" component="h3" id="log-title" sx={{ flexGrow: 1 }}>
          Delivery log
        </Typography>
        <TextField
          select
          size="small"
          label="Status"
          value={state}
          onChange={(e) => {
            onState(e.target.value as State | '');
            pages.reset();
          }}
          slotProps={{ select: { displayEmpty: true }, inputLabel: { shrink: true } }}
          sx={{ width: 190 }}
        >
          <MenuItem value="">All</MenuItem>
          <MenuItem value="pending">Queued or retrying</MenuItem>
          <MenuItem value="delivered">Delivered</MenuItem>
          <MenuItem value="failed">Failed</MenuItem>
        </TextField>
        <Button
          startIcon={<RefreshIcon />}
          // The endpoint's last delivery above is read again too.
          onClick={() => void qc.invalidateQueries({ queryKey: ['webhooks', tenant] })}
          disabled={log.isFetching}
        >
          REFRESH
        </Button>
      </Box>
      <Refreshing active={log.isFetching && !log.isPending} />
      {log.isPending ? <Loading label="Loading the delivery log" /> : null}
      {log.isError ? <ErrorState error={log.error} retry={() => void log.refetch()} /> : null}
      {log.isSuccess ? (
        items.length === 0 ? (
          <EmptyState title={state ? 'No deliveries in this state' : 'Nothing sent yet'}>
            {state
              ? 'Choose another status.'
              : 'Events this endpoint subscribes to show here as they happen. SEND TEST EVENT sends one now.'}
          </EmptyState>
        ) : (
          <TableContainer tabIndex={0} role="region" aria-label="Delivery log, scrollable">
            <Table size="small" aria-label="Delivery log">
              <TableHead>
                <TableRow>
                  <TableCell padding="checkbox">
                    <Box component="span" sx={visuallyHidden}>
                      Details
                    </Box>
                  </TableCell>
                  <TableCell>Event</TableCell>
                  <TableCell>Queued</TableCell>
                  <TableCell>Status</TableCell>
                  <TableCell>Attempts</TableCell>
                  <TableCell>Last response</TableCell>
                  <TableCell>Next attempt</TableCell>
                </TableRow>
              </TableHead>
              <TableBody>
                {items.map((d) => {
                  const shown = open === d.messageId;
                  return (
                    <Fragment key={d.messageId}>
                      <TableRow hover>
                        <TableCell padding="checkbox">
                          <IconButton
                            size="small"
                            aria-expanded={shown}
                            aria-label={`${shown ? 'Hide' : 'Show'} the attempts of ${d.eventType} ${d.messageId}`}
                            disabled={d.log.length === 0}
                            onClick={() => setOpen(shown ? null : d.messageId)}
                          >
                            {shown ? <ExpandLess /> : <ExpandMore />}
                          </IconButton>
                        </TableCell>
                        <TableCell>
                          <code>{d.eventType}</code>
                          <Typography variant="caption" color="text.secondary" component="div" title="webhook-id">
                            {d.messageId}
                          </Typography>
                        </TableCell>
                        <TableCell sx={{ whiteSpace: 'nowrap' }}>{formatDateTime(d.createdAt)}</TableCell>
                        <TableCell>
                          <DeliveryStatusChip state={d.state} attempts={d.attempts} />
                        </TableCell>
                        <TableCell sx={{ whiteSpace: 'nowrap' }}>{attemptsText(d.attempts)}</TableCell>
                        <TableCell>{d.attempts ? responseText(d.lastStatusCode, d.lastError) : '—'}</TableCell>
                        <TableCell sx={{ whiteSpace: 'nowrap' }}>
                          {d.nextAttemptAt ? formatDateTime(d.nextAttemptAt) : '—'}
                        </TableCell>
                      </TableRow>
                      {shown ? (
                        <TableRow>
                          <TableCell colSpan={7} sx={{ bgcolor: 'grey.50' }}>
                            <Attempts d={d} />
                          </TableCell>
                        </TableRow>
                      ) : null}
                    </Fragment>
                  );
                })}
              </TableBody>
            </Table>
          </TableContainer>
        )
      ) : null}
      {log.isSuccess ? <CursorPager pages={pages} nextCursor={log.data.nextCursor} shown={items.length} /> : null}
    </Paper>
  );
}
