import { useState, type FormEvent } from 'react';
import { Alert, Box, Button, Card, CardContent, TextField, Typography } from '@mui/material';
import { Navigate, useSearchParams } from 'react-router';
import { useSession } from '../session/session';
import { messageOf } from '../api/problem';
import { Loading } from '../components/States';

/** Only paths inside this console are followed after sign-in (no open redirect). */
function safeNext(next: string | null, tenant: string): string {
  const home = `/t/${encodeURIComponent(tenant)}/oauth2-clients`;
  if (!next || !next.startsWith(`/t/${encodeURIComponent(tenant)}/`) || next.includes('//') || next.includes('/sign-in')) return home;
  return next;
}

export function SignInScreen() {
  const { tenant, status, signIn } = useSession();
  const [params] = useSearchParams();
  const [email, setEmail] = useState('');
  const [password, setPassword] = useState('');
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const next = safeNext(params.get('next'), tenant);

  if (status === 'loading') return <Loading label="Checking your session" />;
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

  return (
    <Box component="main" sx={{ minHeight: '100vh', display: 'flex', alignItems: 'center', justifyContent: 'center', bgcolor: 'grey.100', p: 2 }}>
      <Card sx={{ width: '100%', maxWidth: 400 }} variant="outlined">
        <CardContent component="form" onSubmit={submit} noValidate sx={{ display: 'flex', flexDirection: 'column', gap: 2, p: 3 }}>
          <Typography variant="h5" component="h1">Sign in to Latchkey</Typography>
          <Typography color="text.secondary">Domain <strong>{tenant}</strong></Typography>
          {params.get('expired') && !error ? <Alert severity="info">Your session has ended. Sign in again to go back to where you were.</Alert> : null}
          {error ? <Alert severity="error" role="alert">{error}</Alert> : null}
          <TextField label="Email" type="email" autoComplete="username" required autoFocus value={email} onChange={(e) => setEmail(e.target.value)} />
          <TextField label="Password" type="password" autoComplete="current-password" required value={password} onChange={(e) => setPassword(e.target.value)} />
          <Button type="submit" variant="contained" size="large" disabled={busy || !email || !password}>SIGN IN</Button>
        </CardContent>
      </Card>
    </Box>
  );
}
