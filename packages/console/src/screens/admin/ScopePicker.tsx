import { Box, Checkbox, FormControlLabel, FormGroup, FormLabel, Typography } from '@mui/material';
import type { Resource } from '../../api/types';

/** Checkboxes of scopes grouped by API; `only` limits them (an app's token can carry only its scopes). */
export function ScopePicker({ resources, value, onChange, only, legend = 'Scopes' }: {
  resources: Resource[]; value: string[]; onChange(scopes: string[]): void; only?: string[]; legend?: string;
}) {
  const shown = resources.map((r) => ({ ...r, scopes: r.scopes.filter((s) => !only || only.includes(s)) })).filter((r) => r.scopes.length);
  const toggle = (s: string, on: boolean) => onChange(on ? [...value, s].sort() : value.filter((x) => x !== s));
  return (
    <Box component="fieldset" sx={{ border: 0, p: 0, m: 0 }}>
      <FormLabel component="legend">{legend}</FormLabel>
      {shown.length === 0 ? <Typography variant="body2" color="text.secondary">No scopes to choose from.</Typography> : null}
      {shown.map((r) => (
        <Box key={r.id} sx={{ mt: 1 }}>
          <Typography variant="caption" color="text.secondary">{r.name} ({r.audience})</Typography>
          <FormGroup row>
            {r.scopes.map((s) => (
              <FormControlLabel key={s} label={s} control={<Checkbox checked={value.includes(s)} onChange={(e) => toggle(s, e.target.checked)} />} />
            ))}
          </FormGroup>
        </Box>
      ))}
    </Box>
  );
}
