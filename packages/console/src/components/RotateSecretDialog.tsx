import { useState, type ReactNode } from 'react';
import { Alert, Box, FormControl, FormControlLabel, FormLabel, Radio, RadioGroup } from '@mui/material';
import { ConfirmDialog } from './ConfirmDialog';
import { formatDateTime } from './format';

/** The overlaps offered: what the API takes (overlapSeconds) with a label people read. */
export const OVERLAPS = [
  { seconds: 0, label: 'None' },
  { seconds: 3600, label: '1 hour' },
  { seconds: 86_400, label: '24 hours' },
] as const;

/** When an overlap of `seconds` chosen now would end, as the viewer reads times. */
export const overlapEnd = (seconds: number, now = Date.now()) =>
  formatDateTime(new Date(now + seconds * 1000).toISOString());

/**
 * A new secret for a client, keeping its client id: the overlap choice (none, 1 h, 24 h) and what
 * happens to the old secret, stated for the choice made. Mount it to open it: it starts at "None".
 * `consequence(until)` says what stops: `until` is null for now, or the time the overlap ends.
 */
export function RotateSecretDialog({
  title,
  confirmLabel,
  busy,
  consequence,
  children,
  onConfirm,
  onClose,
}: {
  title: string;
  confirmLabel: string;
  busy: boolean;
  consequence(until: string | null): ReactNode;
  children?: ReactNode;
  onConfirm(overlapSeconds: number): void;
  onClose(): void;
}) {
  const [overlap, setOverlap] = useState(0);
  return (
    <ConfirmDialog
      open
      title={title}
      confirmLabel={confirmLabel}
      busy={busy}
      onClose={onClose}
      onConfirm={() => onConfirm(overlap)}
    >
      <Box sx={{ display: 'flex', flexDirection: 'column', gap: 2 }}>
        {children ? <Box>{children}</Box> : null}
        <FormControl>
          <FormLabel id="overlap-label">Keep the old secret working for</FormLabel>
          <RadioGroup
            row
            aria-labelledby="overlap-label"
            value={String(overlap)}
            onChange={(e) => setOverlap(Number(e.target.value))}
          >
            {OVERLAPS.map((o) => (
              <FormControlLabel
                key={o.seconds}
                value={String(o.seconds)}
                control={<Radio disabled={busy} />}
                label={o.label}
              />
            ))}
          </RadioGroup>
        </FormControl>
        <Alert severity={overlap === 0 ? 'warning' : 'info'} role="status">
          {consequence(overlap === 0 ? null : overlapEnd(overlap))}
        </Alert>
      </Box>
    </ConfirmDialog>
  );
}
