import { useState } from 'react';
import {
  Alert,
  Box,
  Button,
  Divider,
  FormControlLabel,
  Link as MuiLink,
  Paper,
  Switch,
  TextField,
  Typography,
} from '@mui/material';
import { Link } from 'react-router';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { api, call } from '../../api/client';
import { messageOf } from '../../api/problem';
import type { Settings } from '../../api/types';
import { useSession } from '../../session/session';
import { useToast } from '../../components/toasts';
import { ConfirmDialog } from '../../components/ConfirmDialog';
import { ErrorState, Loading } from '../../components/States';
import { settingsQuery } from './AppDialogs';
import { duration } from './grants';
import { tenantBase } from '../../site';

// Enforcing single sign-on lives on the Single sign-on screen, next to the providers it needs.
type Flag = 'signingCertificatePublic' | 'revokeClientsOnRoleLoss';
type Num =
  | 'accessTokenTtlSeconds'
  | 'refreshTokenTtlSeconds'
  | 'refreshTokenGraceSeconds'
  | 'personalClientMaxDays'
  | 'auditRetentionDays';

const FLAGS: { key: Flag; label: string; help: string; on: string; off: string }[] = [
  {
    key: 'signingCertificatePublic',
    label: 'Access signing certificate',
    help: "Anyone may read the public keys that verify this domain's tokens (the JWKS).",
    on: 'Anyone can read the JWKS again, without authenticating.',
    off: 'The JWKS answers 401 unless a confidential client authenticates with HTTP Basic (client ID and secret). APIs that verify tokens offline need such a client.',
  },
  {
    key: 'revokeClientsOnRoleLoss',
    label: 'Revoke personal clients on role loss',
    help: 'When someone loses the client-creator role, their personal OAuth2 clients are revoked.',
    on: "From now on, losing the creator role revokes the person's personal clients at once.",
    off: 'Personal clients keep working until they expire when their owner loses the creator role.',
  },
];

type NumberDef = { key: Num; label: string; unit: 'seconds' | 'days'; min: number; max: number; help: string };

const NUMBERS: NumberDef[] = [
  {
    key: 'accessTokenTtlSeconds',
    label: 'Access-token lifetime',
    unit: 'seconds',
    min: 60,
    max: 86_400,
    help: 'New access tokens; tokens already issued keep theirs.',
  },
  {
    key: 'refreshTokenTtlSeconds',
    label: 'Refresh-token lifetime',
    unit: 'seconds',
    min: 3600,
    max: 5 * 365 * 86_400,
    help: 'New refresh tokens and token files.',
  },
  {
    key: 'refreshTokenGraceSeconds',
    label: 'Refresh grace window',
    unit: 'seconds',
    min: 0,
    max: 600,
    help: 'A just-rotated refresh token presented again within this time gets the same answer (a retry after a lost response); 0 turns it off.',
  },
  {
    key: 'personalClientMaxDays',
    label: 'Personal-client maximum lifetime',
    unit: 'days',
    min: 1,
    max: 3650,
    help: 'The longest expiry a new personal OAuth2 client may have.',
  },
];

const RETENTION: NumberDef = {
  key: 'auditRetentionDays',
  label: 'Audit log retention',
  unit: 'days',
  min: 30,
  max: 3650,
  help: 'Audit events older than this are deleted.',
};

const human = (unit: 'seconds' | 'days', v: number) =>
  unit === 'days' ? `${v} day${v === 1 ? '' : 's'}` : v === 0 ? 'off' : duration(v);

type Change = { key: keyof Settings; value: boolean | number; title: string; text: string };

function NumberSetting({ def, value, onChange }: { def: NumberDef; value: number; onChange(v: number): void }) {
  const [text, setText] = useState(String(value));
  const n = Number(text);
  const error =
    text.trim() === '' || !Number.isInteger(n)
      ? 'A whole number.'
      : n < def.min || n > def.max
        ? `From ${def.min} to ${def.max} ${def.unit}.`
        : undefined;
  return (
    <Box sx={{ display: 'flex', gap: 1, alignItems: 'flex-start', flexWrap: 'wrap', py: 1.5 }}>
      <TextField
        label={`${def.label} (${def.unit})`}
        size="small"
        value={text}
        onChange={(e) => setText(e.target.value)}
        error={!!error}
        helperText={error ?? `${human(def.unit, value)} now. ${def.help}`}
        slotProps={{ htmlInput: { inputMode: 'numeric' } }}
        sx={{ flex: '1 1 280px' }}
      />
      <Button
        variant="outlined"
        disabled={!!error || n === value}
        onClick={() => onChange(n)}
        aria-label={`Save ${def.label.toLowerCase()}`}
      >
        SAVE
      </Button>
    </Box>
  );
}

/** The domain's default settings; every change is confirmed with its effect, then audited by the server. */
export function SettingsScreen() {
  const { tenant } = useSession();
  const qc = useQueryClient();
  const toast = useToast();
  const q = useQuery(settingsQuery(tenant));
  const [change, setChange] = useState<Change | null>(null);
  const save = useMutation({
    mutationFn: (c: Change) =>
      call(api.PATCH('/t/{tenant}/api/v1/settings', { params: { path: { tenant } }, body: { [c.key]: c.value } })),
    onSuccess: (s) => {
      qc.setQueryData(settingsQuery(tenant).queryKey, s);
      toast('Setting saved.');
      setChange(null);
    },
  });
  if (q.isPending) return <Loading label="Loading settings" />;
  if (q.isError) return <ErrorState error={q.error} retry={() => void q.refetch()} />;
  const s = q.data;
  const jwks = `${window.location.origin}${tenantBase(tenant)}/oauth2/v1/keys`;
  const number = (d: NumberDef) => (
    <NumberSetting
      key={`${d.key}-${s[d.key]}`}
      def={d}
      value={s[d.key]}
      onChange={(v) =>
        setChange({
          key: d.key,
          value: v,
          title: `Change the ${d.label.toLowerCase()}?`,
          text: `From ${human(d.unit, s[d.key])} to ${human(d.unit, v)}. ${d.help}`,
        })
      }
    />
  );
  return (
    <Box sx={{ maxWidth: 800 }}>
      <Typography variant="h6" component="h2" sx={{ mb: 1 }}>
        Default settings
      </Typography>
      <Paper variant="outlined" sx={{ px: 2, py: 1 }}>
        {FLAGS.map((f, i) => (
          <Box key={f.key}>
            {i ? <Divider /> : null}
            <Box sx={{ py: 1.5 }}>
              <FormControlLabel
                label={<strong>{f.label}</strong>}
                control={
                  <Switch
                    checked={s[f.key]}
                    onChange={(e) =>
                      setChange({
                        key: f.key,
                        value: e.target.checked,
                        title: `${e.target.checked ? 'Turn on' : 'Turn off'} "${f.label}"?`,
                        text: e.target.checked ? f.on : f.off,
                      })
                    }
                  />
                }
              />
              <Typography variant="body2" color="text.secondary">
                {f.help}
              </Typography>
              {f.key === 'signingCertificatePublic' ? (
                <Typography variant="body2" sx={{ mt: 0.5, wordBreak: 'break-all' }}>
                  JWKS:{' '}
                  <MuiLink href={jwks} target="_blank" rel="noreferrer">
                    {jwks}
                  </MuiLink>
                </Typography>
              ) : null}
            </Box>
          </Box>
        ))}
        <Divider />
        <Box sx={{ py: 1.5 }}>
          <Typography>
            <strong>Single sign-on</strong>: {s.ssoEnforced ? 'enforced' : 'not enforced'}
          </Typography>
          <Typography variant="body2" color="text.secondary">
            Identity providers and enforcing single sign-on are on the{' '}
            <MuiLink component={Link} to={`${tenantBase(tenant)}/manage/sso`}>
              Single sign-on
            </MuiLink>{' '}
            screen.
          </Typography>
        </Box>
      </Paper>
      <Typography variant="h6" component="h2" sx={{ mt: 3, mb: 1 }}>
        Token lifetimes
      </Typography>
      <Paper variant="outlined" sx={{ px: 2, py: 1 }}>
        {NUMBERS.map((d, i) => (
          <Box key={d.key}>
            {i ? <Divider /> : null}
            {number(d)}
          </Box>
        ))}
      </Paper>
      <Typography variant="h6" component="h2" sx={{ mt: 3, mb: 1 }}>
        Audit log
      </Typography>
      <Paper variant="outlined" sx={{ px: 2, py: 1 }}>
        {number(RETENTION)}
      </Paper>
      <ConfirmDialog
        open={change !== null}
        title={change?.title ?? ''}
        confirmLabel="CHANGE"
        danger={false}
        busy={save.isPending}
        onClose={() => {
          setChange(null);
          save.reset();
        }}
        onConfirm={() => change && save.mutate(change)}
      >
        {save.isError ? (
          <Alert severity="error" sx={{ mb: 1 }}>
            {messageOf(save.error)}
          </Alert>
        ) : null}
        {change?.text} The change is recorded in the audit log.
      </ConfirmDialog>
    </Box>
  );
}
