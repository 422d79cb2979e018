import { Alert, Button, Dialog, DialogActions, DialogContent, DialogTitle, Typography } from '@mui/material';
import type { CreatedApp } from '../../api/types';
import { OldSecretNote, SecretField } from '../SecretDialog';

/**
 * The only time an application's secret is shown (`regenerated`: says what happens to the old one).
 * Closing drops it: the caller keeps no copy.
 */
export function AppSecretDialog({
  app,
  title,
  regenerated,
  onClose,
}: {
  app: CreatedApp;
  title: string;
  regenerated?: boolean;
  onClose(): void;
}) {
  return (
    <Dialog
      open
      onClose={(_, reason) => reason !== 'backdropClick' && onClose()}
      aria-labelledby="app-secret-title"
      fullWidth
      maxWidth="sm"
    >
      <DialogTitle id="app-secret-title">{title}</DialogTitle>
      <DialogContent sx={{ display: 'flex', flexDirection: 'column', gap: 2 }}>
        <Alert severity="warning">
          Copy the secret now. It will not be shown again: Latchkey keeps only a hash of it. If you lose it, regenerate
          it on the application's page.
        </Alert>
        {regenerated ? (
          <Alert severity="info">
            The client ID is unchanged. <OldSecretNote previousSecretExpiresAt={app.previousSecretExpiresAt ?? null} />
          </Alert>
        ) : null}
        <SecretField label="Client ID" value={app.clientId} id="app-client-id" />
        <SecretField label="Client secret" value={app.clientSecret} id="app-client-secret" />
        <Typography variant="body2" color="text.secondary">
          Hand both to the application's developers over a safe channel.
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
