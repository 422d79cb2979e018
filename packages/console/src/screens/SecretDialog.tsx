import {
  Alert,
  Box,
  Button,
  Dialog,
  DialogActions,
  DialogContent,
  DialogTitle,
  Tab,
  Tabs,
  Typography,
} from '@mui/material';
import { useState } from 'react';
import { useSession } from '../session/session';
import { CopyButton } from '../components/CopyButton';
import { formatDateTime } from '../components/format';
import { cliSnippet, curlSnippet, sdkSnippet } from './snippets';
import { hostTenant } from '../site';

/** A shown-once value with its copy button. */
export function SecretField({ label, value, id }: { label: string; value: string; id: string }) {
  return (
    <Box>
      <Typography variant="caption" color="text.secondary" id={`${id}-label`}>
        {label}
      </Typography>
      <Box
        sx={{ display: 'flex', alignItems: 'center', gap: 1, bgcolor: 'grey.100', borderRadius: 1, px: 1.5, py: 0.5 }}
      >
        <Box
          component="code"
          id={id}
          aria-labelledby={`${id}-label`}
          sx={{ flexGrow: 1, wordBreak: 'break-all', fontSize: 14 }}
        >
          {value}
        </Box>
        <CopyButton value={value} label={`Copy ${label.toLowerCase()}`} />
      </Box>
    </Box>
  );
}

/** What happens to a rotated client's old secret, in one sentence. */
export function OldSecretNote({ previousSecretExpiresAt }: { previousSecretExpiresAt: string | null }) {
  return previousSecretExpiresAt === null ? (
    <>The old secret stopped working now, and so did the access tokens it obtained.</>
  ) : (
    <>
      The old secret keeps working until <strong>{formatDateTime(previousSecretExpiresAt)}</strong>; replace it before
      then.
    </>
  );
}

/**
 * The only time the secret is shown: after creating a client, or after rotating its secret
 * (`rotated`: the client id is unchanged, and what happens to the old secret). Closing drops it: the
 * caller keeps no copy.
 */
export function SecretDialog({
  client,
  rotated,
  onClose,
}: {
  client: { name: string; clientId: string; clientSecret: string };
  rotated?: { previousSecretExpiresAt: string | null };
  onClose(): void;
}) {
  const { tenant } = useSession();
  const [tab, setTab] = useState(0);
  const target = {
    origin: window.location.origin,
    tenant,
    tenantHost: hostTenant !== null,
    clientId: client.clientId,
    clientSecret: client.clientSecret,
  };
  const snippet = [cliSnippet, sdkSnippet, curlSnippet][tab]!(target);
  return (
    <Dialog
      open
      onClose={(_, reason) => reason !== 'backdropClick' && onClose()}
      aria-labelledby="secret-title"
      fullWidth
      maxWidth="md"
    >
      <DialogTitle id="secret-title">
        {rotated ? `New secret of "${client.name}"` : `Client "${client.name}" created`}
      </DialogTitle>
      <DialogContent sx={{ display: 'flex', flexDirection: 'column', gap: 2 }}>
        <Alert severity="warning">
          Copy the secret now. It will not be shown again: Latchkey keeps only a hash of it. If you lose it,{' '}
          {rotated ? 'rotate the secret again.' : 'delete this client and create a new one.'}
        </Alert>
        {rotated ? (
          <Alert severity="info">
            The client ID is unchanged: replace only the secret where it is used.{' '}
            <OldSecretNote previousSecretExpiresAt={rotated.previousSecretExpiresAt} />
          </Alert>
        ) : null}
        <SecretField label="Client ID" value={client.clientId} id="created-client-id" />
        <SecretField label="Client secret" value={client.clientSecret} id="created-client-secret" />
        <Box>
          <Tabs value={tab} onChange={(_, v: number) => setTab(v)} aria-label="How to use it" variant="scrollable">
            <Tab label="CLI" id="snippet-tab-0" aria-controls="snippet-panel" />
            <Tab label="SDK" id="snippet-tab-1" aria-controls="snippet-panel" />
            <Tab label="curl" id="snippet-tab-2" aria-controls="snippet-panel" />
          </Tabs>
          <Box
            role="tabpanel"
            id="snippet-panel"
            aria-labelledby={`snippet-tab-${tab}`}
            sx={{ position: 'relative', bgcolor: 'grey.900', color: 'grey.100', borderRadius: 1, p: 2, mt: 1 }}
          >
            <Box component="pre" tabIndex={0} sx={{ m: 0, overflowX: 'auto', fontSize: 13 }}>
              <code>{snippet}</code>
            </Box>
            <Box sx={{ position: 'absolute', top: 4, right: 4, '& button': { color: 'grey.100' } }}>
              <CopyButton value={snippet} label="Copy snippet" />
            </Box>
          </Box>
        </Box>
      </DialogContent>
      <DialogActions>
        <Button variant="contained" onClick={onClose}>
          CLOSE
        </Button>
      </DialogActions>
    </Dialog>
  );
}
