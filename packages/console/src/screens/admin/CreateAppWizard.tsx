import { useState } from 'react';
import {
  Alert,
  Box,
  Button,
  Checkbox,
  Dialog,
  DialogActions,
  DialogContent,
  DialogTitle,
  FormControlLabel,
  FormGroup,
  FormLabel,
  Step,
  StepLabel,
  Stepper,
  TextField,
  Typography,
} from '@mui/material';
import { useMutation, useQuery } from '@tanstack/react-query';
import { api, call } from '../../api/client';
import { messageOf } from '../../api/problem';
import type { CreatedApp, NewApp } from '../../api/types';
import { useSession } from '../../session/session';
import { ErrorState, Loading } from '../../components/States';
import { GRANTS, grantLabel } from './grants';
import { ScopePicker } from './ScopePicker';

const STEPS = ['Details', 'Grants', 'Scopes', 'Review'];
type Grant = NewApp['grantTypes'][number];

export const resourcesQuery = (tenant: string) => ({
  queryKey: ['resources', tenant],
  queryFn: () => call(api.GET('/t/{tenant}/api/v1/resources', { params: { path: { tenant } } })),
});

export function GrantPicker({ value, onChange }: { value: string[]; onChange(g: string[]): void }) {
  return (
    <Box component="fieldset" sx={{ border: 0, p: 0, m: 0 }}>
      <FormLabel component="legend">Allowed grants</FormLabel>
      <FormGroup>
        {GRANTS.map((g) => (
          <FormControlLabel
            key={g.value}
            sx={{ alignItems: 'flex-start', mt: 1 }}
            control={
              <Checkbox
                checked={value.includes(g.value)}
                sx={{ pt: 0.25 }}
                onChange={(e) => onChange(e.target.checked ? [...value, g.value] : value.filter((x) => x !== g.value))}
              />
            }
            label={
              <span>
                <strong>{g.label}</strong>
                <Typography component="span" variant="body2" color="text.secondary" sx={{ display: 'block' }}>
                  {g.help}
                </Typography>
              </span>
            }
          />
        ))}
      </FormGroup>
    </Box>
  );
}

/** "+ ADD": details → grants → scopes → review; the answer (with the secret) goes to onCreated. */
export function CreateAppWizard({ onClose, onCreated }: { onClose(): void; onCreated(app: CreatedApp): void }) {
  const { tenant } = useSession();
  const [step, setStep] = useState(0);
  const [name, setName] = useState('');
  const [description, setDescription] = useState('');
  const [grants, setGrants] = useState<string[]>([]);
  const [scopes, setScopes] = useState<string[]>([]);
  const [touched, setTouched] = useState(false);
  const resources = useQuery(resourcesQuery(tenant));
  const create = useMutation({
    mutationFn: () =>
      call(
        api.POST('/t/{tenant}/api/v1/apps', {
          params: { path: { tenant } },
          body: { name: name.trim(), description: description.trim(), grantTypes: grants as Grant[], scopes },
        }),
      ),
    gcTime: 0,
    onSuccess: onCreated,
  });
  const stepError =
    step === 0 && touched && !name.trim()
      ? 'Give the application a name.'
      : step === 1 && touched && grants.length === 0
        ? 'Choose at least one grant.'
        : undefined;
  const next = () => {
    setTouched(true);
    if ((step === 0 && !name.trim()) || (step === 1 && grants.length === 0)) return;
    setTouched(false);
    if (step < 3) setStep(step + 1);
    else create.mutate();
  };
  return (
    <Dialog
      open
      onClose={create.isPending ? undefined : onClose}
      aria-labelledby="add-app-title"
      fullWidth
      maxWidth="sm"
    >
      <DialogTitle id="add-app-title">Add a confidential application</DialogTitle>
      <DialogContent sx={{ display: 'flex', flexDirection: 'column', gap: 2 }}>
        <Stepper activeStep={step} alternativeLabel sx={{ py: 1 }}>
          {STEPS.map((s) => (
            <Step key={s}>
              <StepLabel>{s}</StepLabel>
            </Step>
          ))}
        </Stepper>
        {create.isError ? <Alert severity="error">{messageOf(create.error)}</Alert> : null}
        {step === 0 ? (
          <>
            <TextField
              label="Name"
              required
              autoFocus
              value={name}
              onChange={(e) => setName(e.target.value)}
              error={!!stepError}
              helperText={stepError ?? 'For example "billing-sync": the token file is named after it.'}
              slotProps={{ htmlInput: { maxLength: 100 } }}
              sx={{ mt: 1 }}
            />
            <TextField
              label="Description"
              multiline
              minRows={2}
              value={description}
              onChange={(e) => setDescription(e.target.value)}
              slotProps={{ htmlInput: { maxLength: 1000 } }}
            />
          </>
        ) : null}
        {step === 1 ? (
          <>
            <GrantPicker value={grants} onChange={setGrants} />
            {stepError ? <Alert severity="error">{stepError}</Alert> : null}
          </>
        ) : null}
        {step === 2 ? (
          resources.isPending ? (
            <Loading label="Loading scopes" />
          ) : resources.isError ? (
            <ErrorState error={resources.error} retry={() => void resources.refetch()} />
          ) : (
            <ScopePicker
              resources={resources.data.items}
              value={scopes}
              onChange={setScopes}
              legend="Scopes the application may ask for"
            />
          )
        ) : null}
        {step === 3 ? (
          <Box component="dl" sx={{ m: 0, '& dt': { color: 'text.secondary', fontSize: 13, mt: 1 }, '& dd': { m: 0 } }}>
            <dt>Name</dt>
            <dd>{name.trim()}</dd>
            <dt>Description</dt>
            <dd>{description.trim() || '—'}</dd>
            <dt>Grants</dt>
            <dd>{grants.map(grantLabel).join(', ')}</dd>
            <dt>Scopes</dt>
            <dd>{scopes.join(' ') || 'none'}</dd>
          </Box>
        ) : null}
      </DialogContent>
      <DialogActions>
        <Button onClick={onClose} disabled={create.isPending}>
          CANCEL
        </Button>
        {step > 0 ? (
          <Button onClick={() => setStep(step - 1)} disabled={create.isPending}>
            BACK
          </Button>
        ) : null}
        <Button variant="contained" onClick={next} disabled={create.isPending}>
          {step < 3 ? 'NEXT' : 'CREATE'}
        </Button>
      </DialogActions>
    </Dialog>
  );
}
