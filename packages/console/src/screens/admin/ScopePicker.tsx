import { Box, Checkbox, FormControlLabel, FormGroup, FormLabel, Typography } from '@mui/material';
import type { GrantableScope, Resource } from '../../api/types';

/** Checkboxes of scopes grouped by API; `only` limits them (an app's token can carry only its scopes). */
export function ScopePicker({
  resources,
  value,
  onChange,
  only,
  legend = 'Scopes',
}: {
  resources: Resource[];
  value: string[];
  onChange(scopes: string[]): void;
  only?: string[];
  legend?: string;
}) {
  const shown = resources
    .map((r) => ({ ...r, scopes: r.scopes.filter((s) => !only || only.includes(s)) }))
    .filter((r) => r.scopes.length);
  const toggle = (s: string, on: boolean) => onChange(on ? [...value, s].sort() : value.filter((x) => x !== s));
  return (
    <Box component="fieldset" sx={{ border: 0, p: 0, m: 0 }}>
      <FormLabel component="legend">{legend}</FormLabel>
      {shown.length === 0 ? (
        <Typography variant="body2" color="text.secondary">
          No scopes to choose from.
        </Typography>
      ) : null}
      {shown.map((r) => (
        <Box key={r.id} sx={{ mt: 1 }}>
          <Typography variant="caption" color="text.secondary">
            {r.name} ({r.audience})
          </Typography>
          <FormGroup row>
            {r.scopes.map((s) => (
              <FormControlLabel
                key={s}
                label={s}
                control={<Checkbox checked={value.includes(s)} onChange={(e) => toggle(s, e.target.checked)} />}
              />
            ))}
          </FormGroup>
        </Box>
      ))}
    </Box>
  );
}

/** Checkboxes of every scope a role may grant (GET /scopes), grouped by API, each with what it allows. */
export function GrantableScopePicker({
  scopes,
  value,
  onChange,
  legend = 'Scopes',
}: {
  scopes: GrantableScope[];
  value: string[];
  onChange(scopes: string[]): void;
  legend?: string;
}) {
  const apis = [...new Set(scopes.map((s) => s.api))];
  const toggle = (s: string, on: boolean) => onChange(on ? [...value, s].sort() : value.filter((x) => x !== s));
  return (
    <Box component="fieldset" sx={{ border: 0, p: 0, m: 0 }}>
      <FormLabel component="legend">{legend}</FormLabel>
      {apis.length === 0 ? (
        <Typography variant="body2" color="text.secondary">
          No scopes to choose from.
        </Typography>
      ) : null}
      {apis.map((name) => {
        const group = scopes.filter((s) => s.api === name);
        return (
          <Box key={name} sx={{ mt: 1.5 }} role="group" aria-label={name}>
            <Typography variant="subtitle2" component="p">
              {name}
            </Typography>
            {group[0]!.management ? (
              <Typography variant="body2" color="text.secondary">
                They limit what holders&apos; personal OAuth2 clients may do on Latchkey&apos;s own API; the console and
                a holder&apos;s own sign-in are not limited by them.
              </Typography>
            ) : null}
            <FormGroup>
              {group.map((s) => (
                <FormControlLabel
                  key={s.scope}
                  sx={{ alignItems: 'flex-start', mt: 0.5 }}
                  control={
                    <Checkbox
                      size="small"
                      checked={value.includes(s.scope)}
                      sx={{ pt: 0.25 }}
                      onChange={(e) => toggle(s.scope, e.target.checked)}
                    />
                  }
                  label={
                    <span>
                      <code>{s.scope}</code>
                      <Typography component="span" variant="body2" color="text.secondary" sx={{ display: 'block' }}>
                        {s.description || 'Not described (Resources → Describe).'}
                      </Typography>
                    </span>
                  }
                />
              ))}
            </FormGroup>
          </Box>
        );
      })}
    </Box>
  );
}
