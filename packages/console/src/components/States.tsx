import { Alert, Box, Button, CircularProgress, LinearProgress, Typography } from '@mui/material';
import type { ReactNode } from 'react';
import { messageOf } from '../api/problem';

export function Loading({ label = 'Loading' }: { label?: string }) {
  return (
    <Box sx={{ display: 'flex', justifyContent: 'center', p: 4 }}>
      <CircularProgress aria-label={label} />
    </Box>
  );
}

export function ErrorState({ error, retry }: { error: unknown; retry?(): void }) {
  return (
    <Alert
      severity="error"
      action={
        retry ? (
          <Button color="inherit" size="small" onClick={retry}>
            RETRY
          </Button>
        ) : undefined
      }
    >
      {messageOf(error)}
    </Alert>
  );
}

export function EmptyState({ title, children, action }: { title: string; children?: ReactNode; action?: ReactNode }) {
  return (
    <Box sx={{ textAlign: 'center', py: 6, px: 2, maxWidth: 560, mx: 'auto' }}>
      <Typography variant="h6" component="h2" gutterBottom>
        {title}
      </Typography>
      {children ? (
        <Typography color="text.secondary" component="div" sx={{ mb: 2 }}>
          {children}
        </Typography>
      ) : null}
      {action}
    </Box>
  );
}

/** A thin bar while a shown list is being replaced (sorting, filtering, paging). */
export function Refreshing({ active }: { active: boolean }) {
  return active ? <LinearProgress aria-label="Updating the list" sx={{ height: 3 }} /> : <Box sx={{ height: 3 }} />;
}
