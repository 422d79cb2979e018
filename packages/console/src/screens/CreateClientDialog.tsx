import { useState, type FormEvent } from 'react';
import {
  Alert,
  Button,
  Checkbox,
  Dialog,
  DialogActions,
  DialogContent,
  DialogTitle,
  FormControl,
  FormControlLabel,
  FormGroup,
  FormHelperText,
  FormLabel,
  Link as MuiLink,
  Radio,
  RadioGroup,
  TextField,
  ToggleButton,
  ToggleButtonGroup,
  Typography,
} from '@mui/material';
import { Link } from 'react-router';
import { useMutation, useQuery } from '@tanstack/react-query';
import { api, call } from '../api/client';
import { messageOf } from '../api/problem';
import { scopesQuery } from '../api/scopes';
import type { CreatedClient } from '../api/types';
import { useSession } from '../session/session';
import { addDays, dateInputValue } from '../components/format';
import { endOfUtcDay, formatExpiryLocal, lastExpiryDay } from '../components/expiry-day';
import { tenantBase } from '../site';

const PRESETS = [
  { days: 7, label: '7 days' },
  { days: 30, label: '30 days' },
  { days: 90, label: '90 days' },
  { days: 365, label: '1 year' },
];
const DAY = 86_400_000;

/**
 * The end of the chosen day in UTC. The date input offers no day past the domain's maximum; only a
 * domain whose maximum is a single day can leave none, and its clients end at that maximum.
 */
function expiryOf(date: string, maxDays: number): Date {
  const latest = Date.now() + maxDays * DAY - 60_000;
  return new Date(Math.min(endOfUtcDay(date).getTime(), latest));
}

/** The way forward for someone whose roles grant no scope of any API: where to get one. */
function NoApiScopes({ apis }: { apis: boolean }) {
  const { me, tenant } = useSession();
  const manage = `${tenantBase(tenant)}/manage`;
  const domain = me?.tenant.name ?? tenant;
  return (
    <Alert severity="info">
      None of your roles grants a scope of {domain}&apos;s APIs yet, so this client&apos;s tokens can reach none of
      them.{' '}
      {!me?.isDomainManager ? (
        <>Ask a domain manager of {domain} for a role that grants the scopes you need.</>
      ) : apis ? (
        <>
          Make a role that grants the scopes you need under{' '}
          <MuiLink component={Link} to={`${manage}/roles`}>
            Roles
          </MuiLink>
          , then give it to yourself under{' '}
          <MuiLink component={Link} to={`${manage}/users`}>
            Users
          </MuiLink>
          .
        </>
      ) : (
        <>
          {domain} has no APIs yet: add them under{' '}
          <MuiLink component={Link} to={`${manage}/resources`}>
            Resources
          </MuiLink>
          , then grant their scopes through{' '}
          <MuiLink component={Link} to={`${manage}/roles`}>
            Roles
          </MuiLink>
          .
        </>
      )}
    </Alert>
  );
}

export function CreateClientDialog({ onClose, onCreated }: { onClose(): void; onCreated(c: CreatedClient): void }) {
  const { me, tenant } = useSession();
  const maxDays = me?.tenant.personalClientMaxDays ?? 365;
  const defaultDays = Math.min(90, maxDays);
  const [name, setName] = useState('');
  const [preset, setPreset] = useState<number | null>(defaultDays === 90 ? 90 : null);
  const min = dateInputValue(addDays(1));
  const latestDay = lastExpiryDay(maxDays);
  const max = latestDay < min ? min : latestDay;
  /** A preset's day (counted in the viewer's calendar, as "tomorrow" is), within the domain's maximum. */
  const presetDay = (days: number) => {
    const day = dateInputValue(addDays(days));
    return day > max ? max : day;
  };
  const [date, setDate] = useState(() => presetDay(defaultDays));
  const [touched, setTouched] = useState(false);
  // null: all of my permissions (as they are at each token request); else only these of my scopes.
  const [only, setOnly] = useState<string[] | null>(null);
  const held = me?.scopes ?? [];
  // What each scope allows, and which are Latchkey's own (management) rather than an API's.
  const grantable = useQuery(scopesQuery(tenant));
  const described = new Map((grantable.data?.items ?? []).map((s) => [s.scope, s]));

  const create = useMutation({
    mutationFn: () =>
      call(
        api.POST('/t/{tenant}/api/v1/me/oauth2-clients', {
          params: { path: { tenant } },
          body: {
            name: name.trim(),
            expiresAt: expiryOf(date, maxDays).toISOString(),
            ...(only ? { scopes: only } : {}),
          },
        }),
      ),
    // The answer holds the secret: drop it from the mutation cache once the dialog is gone.
    gcTime: 0,
    onSuccess: (c) => onCreated(c),
  });

  const nameError = touched && !name.trim() ? 'Give the client a name, e.g. the script that will use it.' : undefined;
  const dateError = !date
    ? 'Choose an expiration date.'
    : date < min
      ? 'The date must be tomorrow or later.'
      : date > max
        ? `At most ${maxDays} days from today (this domain's maximum).`
        : undefined;
  const ends = dateError ? undefined : expiryOf(date, maxDays);
  const endsText = !ends
    ? undefined
    : ends.getTime() < endOfUtcDay(date).getTime()
      ? `Ends ${formatExpiryLocal(ends.toISOString())}, this domain's maximum of ${maxDays} days.`
      : `Ends at 23:59 UTC on the chosen day (${formatExpiryLocal(ends.toISOString())}). At most ${maxDays} days from today (this domain's maximum).`;
  const scopesError =
    touched && only !== null && only.length === 0 ? 'Choose at least one scope, or All my permissions.' : undefined;
  const toggleScope = (s: string) =>
    setOnly((cur) => ((cur ?? []).includes(s) ? cur!.filter((x) => x !== s) : [...(cur ?? []), s].sort()));

  const submit = (e: FormEvent) => {
    e.preventDefault();
    setTouched(true);
    if (!name.trim() || dateError || (only !== null && only.length === 0)) return;
    create.mutate();
  };

  return (
    <Dialog
      open
      onClose={create.isPending ? undefined : onClose}
      aria-labelledby="create-title"
      fullWidth
      maxWidth="sm"
    >
      <form onSubmit={submit} noValidate>
        <DialogTitle id="create-title">Create a personal OAuth2 client</DialogTitle>
        <DialogContent sx={{ display: 'flex', flexDirection: 'column', gap: 2.5 }}>
          <Typography variant="body2" color="text.secondary">
            The client acts with your permissions, or only some of them, never more. Its secret is shown once, right
            after SAVE.
          </Typography>
          {grantable.isSuccess && !held.some((s) => described.get(s)?.management === false) ? (
            <NoApiScopes apis={grantable.data.items.some((s) => !s.management)} />
          ) : null}
          {create.isError ? <Alert severity="error">{messageOf(create.error)}</Alert> : null}
          <TextField
            label="Name"
            required
            autoFocus
            value={name}
            onChange={(e) => setName(e.target.value)}
            onBlur={() => setTouched(true)}
            error={!!nameError}
            helperText={nameError ?? 'For example "nightly-report" or "ci".'}
            slotProps={{ htmlInput: { maxLength: 100 } }}
            sx={{ mt: 1 }}
          />
          <div>
            <Typography id="presets-label" variant="body2" sx={{ mb: 1 }}>
              Expires in
            </Typography>
            <ToggleButtonGroup
              exclusive
              size="small"
              value={preset}
              aria-labelledby="presets-label"
              sx={{ flexWrap: 'wrap' }}
              onChange={(_, days: number | null) => {
                if (days) {
                  setPreset(days);
                  setDate(presetDay(days));
                }
              }}
            >
              {PRESETS.map((p) => (
                <ToggleButton key={p.days} value={p.days} disabled={p.days > maxDays}>
                  {p.label}
                </ToggleButton>
              ))}
            </ToggleButtonGroup>
          </div>
          <TextField
            label="Expiration date"
            type="date"
            required
            value={date}
            onChange={(e) => {
              setDate(e.target.value);
              setPreset(null);
            }}
            error={!!dateError}
            helperText={dateError ?? endsText}
            slotProps={{ inputLabel: { shrink: true }, htmlInput: { min, max } }}
          />
          <FormControl error={!!scopesError}>
            <FormLabel id="scopes-label">Permissions</FormLabel>
            <RadioGroup
              aria-labelledby="scopes-label"
              value={only === null ? 'all' : 'only'}
              onChange={(e) => setOnly(e.target.value === 'all' ? null : [])}
            >
              <FormControlLabel value="all" control={<Radio size="small" />} label="All my permissions" />
              <FormControlLabel
                value="only"
                control={<Radio size="small" />}
                label="Only these scopes"
                disabled={held.length === 0}
              />
            </RadioGroup>
            {only !== null ? (
              <FormGroup aria-label="Scopes" sx={{ pl: 4 }}>
                {held.map((s) => (
                  <FormControlLabel
                    key={s}
                    sx={{ alignItems: 'flex-start', mt: 0.5 }}
                    label={
                      <span>
                        <code>{s}</code>
                        {described.get(s)?.description ? (
                          <Typography component="span" variant="body2" color="text.secondary" sx={{ display: 'block' }}>
                            {described.get(s)!.description}
                          </Typography>
                        ) : null}
                      </span>
                    }
                    control={
                      <Checkbox
                        size="small"
                        sx={{ pt: 0.25 }}
                        checked={only.includes(s)}
                        onChange={() => toggleScope(s)}
                      />
                    }
                  />
                ))}
              </FormGroup>
            ) : null}
            <FormHelperText>
              {scopesError ??
                (held.length === 0
                  ? 'Your roles grant no scopes yet.'
                  : only === null
                    ? `Its tokens carry what your roles allow at the time: now ${held.join(', ')}.`
                    : 'Its tokens carry at most these, and never one your roles no longer allow.')}
            </FormHelperText>
          </FormControl>
        </DialogContent>
        <DialogActions>
          <Button onClick={onClose} disabled={create.isPending}>
            CANCEL
          </Button>
          <Button type="submit" variant="contained" disabled={create.isPending}>
            SAVE
          </Button>
        </DialogActions>
      </form>
    </Dialog>
  );
}
