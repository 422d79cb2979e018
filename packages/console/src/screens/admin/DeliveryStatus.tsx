import { Chip } from '@mui/material';

type State = 'pending' | 'delivered' | 'failed';

const LOOK = {
  queued: { label: 'Queued', color: 'default', help: 'waiting for its first attempt' },
  retrying: { label: 'Retrying', color: 'warning', help: 'an attempt failed; it is tried again later' },
  delivered: { label: 'Delivered', color: 'success', help: 'the endpoint answered 2xx' },
  failed: { label: 'Failed', color: 'error', help: 'every attempt for a day failed; it is not tried again' },
} as const;

/** How a delivery stands: a message pending after a failed attempt is being retried, not waiting. */
export function deliveryLook(state: State, attempts: number) {
  return LOOK[state === 'pending' ? (attempts === 0 ? 'queued' : 'retrying') : state];
}

export function DeliveryStatusChip({ state, attempts }: { state: State; attempts: number }) {
  const look = deliveryLook(state, attempts);
  return (
    <Chip
      size="small"
      label={look.label}
      color={look.color}
      variant={look.color === 'default' ? 'outlined' : 'filled'}
      title={look.help}
    />
  );
}

/** The last answer, as the delivery log keeps it: a status code, or a coarse class of failure. */
export const responseText = (statusCode: number | null, error: string | null) =>
  statusCode !== null ? `HTTP ${statusCode}` : (error ?? '—');
