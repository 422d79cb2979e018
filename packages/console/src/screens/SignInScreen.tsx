import { useState, type FormEvent } from 'react';
import {
  Alert,
  Box,
  Button,
  Card,
  CardContent,
  Collapse,
  Divider,
  Link as MuiLink,
  Stack,
  TextField,
  Typography,
} from '@mui/material';
import LoginIcon from '@mui/icons-material/Login';
import ExpandMoreIcon from '@mui/icons-material/ExpandMore';
import { useQuery } from '@tanstack/react-query';
import { Navigate, useLocation, useSearchParams } from 'react-router';
import { useSession, type ProviderSignOut } from '../session/session';
import { api, call } from '../api/client';
import { messageOf } from '../api/problem';
import { Loading } from '../components/States';
import { tenantBase } from '../site';

/** Only paths inside this console are followed after sign-in (no open redirect). */
function safeNext(next: string | null, tenant: string): string {
  const home = `${tenantBase(tenant)}/oauth2-clients`;
  if (!next || !next.startsWith(`${tenantBase(tenant)}/`) || next.includes('//') || next.includes('/sign-in'))
    return home;
  return next;
}

/** The provider's login URL, asked to come back to `next` (a console path; the server checks it again). */
function ssoHref(loginUrl: string, next: string): string {
  const url = new URL(loginUrl, window.location.origin);
  url.searchParams.set('next', `/console${next}`);
  return url.pathname + url.search;
}

export function SignInScreen() {
  const { tenant, status, signIn } = useSession();
  const [params] = useSearchParams();
  const location = useLocation();
  const signedOutOf = (location.state as { signedOutOf?: ProviderSignOut } | null)?.signedOutOf;
  const [email, setEmail] = useState('');
  const [password, setPassword] = useState('');
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const [breakGlass, setBreakGlass] = useState(false);
  const next = safeNext(params.get('next'), tenant);
  // Which ways in this domain offers; if the question fails, the password form is still there.
  const options = useQuery({
    queryKey: ['sign-in-options', tenant],
    queryFn: () => call(api.GET('/t/{tenant}/api/v1/sign-in-options', { params: { path: { tenant } } })),
    retry: false,
    staleTime: 60_000,
  });

  if (status === 'loading' || options.isPending) return <Loading label="Checking your session" />;
  if (status === 'signed-in') return <Navigate to={next} replace />;

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    setBusy(true);
    setError(null);
    try {
      await signIn(email.trim(), password);
    } catch (err) {
      setError(messageOf(err));
      setPassword('');
    } finally {
      setBusy(false);
    }
  };

  const providers = options.data?.providers ?? [];
  const enforced = options.data?.passwordSignIn === false;
  const passwordForm = (
    <Box component="form" onSubmit={submit} noValidate sx={{ display: 'flex', flexDirection: 'column', gap: 2 }}>
      {enforced ? (
        <Typography variant="body2" color="text.secondary">
          Only for the break-glass accounts a platform administrator named; everyone else is refused.
        </Typography>
      ) : null}
      <TextField
        label="Email"
        type="email"
        autoComplete="username"
        required
        autoFocus={!providers.length || enforced}
        value={email}
        onChange={(e) => setEmail(e.target.value)}
      />
      <TextField
        label="Password"
        type="password"
        autoComplete="current-password"
        required
        value={password}
        onChange={(e) => setPassword(e.target.value)}
      />
      <Button
        type="submit"
        variant={providers.length ? 'outlined' : 'contained'}
        size="large"
        disabled={busy || !email || !password}
      >
        SIGN IN
      </Button>
    </Box>
  );

  return (
    <Box
      component="main"
      sx={{
        minHeight: '100vh',
        display: 'flex',
        alignItems: 'center',
        justifyContent: 'center',
        bgcolor: 'grey.100',
        p: 2,
      }}
    >
      <Card sx={{ width: '100%', maxWidth: 400 }} variant="outlined">
        <CardContent sx={{ display: 'flex', flexDirection: 'column', gap: 2, p: 3 }}>
          <Typography variant="h5" component="h1">
            Sign in to Latchkey
          </Typography>
          <Typography color="text.secondary">
            Domain <strong>{tenant}</strong>
          </Typography>
          {signedOutOf ? (
            <Alert severity="info">
              You are signed out of Latchkey. You may still be signed in at {signedOutOf.provider}:{' '}
              <MuiLink href={signedOutOf.endSessionUrl} color="inherit" sx={{ fontWeight: 600 }}>
                Also sign out of {signedOutOf.provider}
              </MuiLink>
            </Alert>
          ) : null}
          {params.get('expired') && !error ? (
            <Alert severity="info">Your session has ended. Sign in again to go back to where you were.</Alert>
          ) : null}
          {error ? (
            <Alert severity="error" role="alert">
              {error}
            </Alert>
          ) : null}
          {providers.length ? (
            <Stack spacing={1}>
              {providers.map((p) => (
                <Button
                  key={p.id}
                  component="a"
                  href={ssoHref(p.loginUrl, next)}
                  variant="contained"
                  size="large"
                  startIcon={<LoginIcon />}
                >
                  Sign in with {p.name}
                </Button>
              ))}
            </Stack>
          ) : null}
          {enforced ? (
            <>
              <Typography variant="body2" color="text.secondary">
                This domain signs in with single sign-on only. Scripts use personal OAuth2 clients.
              </Typography>
              <Button
                size="small"
                onClick={() => setBreakGlass((v) => !v)}
                aria-expanded={breakGlass}
                aria-controls="break-glass"
                endIcon={<ExpandMoreIcon sx={{ transform: breakGlass ? 'rotate(180deg)' : undefined }} />}
                sx={{ alignSelf: 'flex-start', textTransform: 'none' }}
              >
                Break-glass sign-in with a password
              </Button>
              <Collapse in={breakGlass} id="break-glass" unmountOnExit>
                {passwordForm}
              </Collapse>
            </>
          ) : (
            <>
              {providers.length ? <Divider>or with your password</Divider> : null}
              {passwordForm}
            </>
          )}
        </CardContent>
      </Card>
    </Box>
  );
}
