import { useState, type KeyboardEvent } from 'react';
import { Box, Chip, TextField } from '@mui/material';

/**
 * A list of short values (email domains, email addresses) as chips: typed text becomes a chip on
 * Enter, comma, space or leaving the field; a chip's delete icon (or Backspace on it) removes it.
 */
export function ChipsField({
  label,
  values,
  onChange,
  helperText,
  error,
  placeholder,
  normalize = (v) => v.trim().toLowerCase(),
}: {
  label: string;
  values: string[];
  onChange(values: string[]): void;
  helperText?: string;
  error?: string;
  placeholder?: string;
  normalize?(value: string): string;
}) {
  const [text, setText] = useState('');
  const commit = () => {
    const added = text
      .split(/[\s,]+/)
      .map(normalize)
      .filter((v) => v && !values.includes(v));
    if (added.length) onChange([...values, ...new Set(added)]);
    setText('');
  };
  const onKeyDown = (e: KeyboardEvent) => {
    if (e.key === 'Enter' || e.key === ',' || e.key === ' ') {
      if (text.trim()) {
        e.preventDefault();
        commit();
      } else if (e.key === 'Enter') e.preventDefault();
    } else if (e.key === 'Backspace' && !text && values.length) onChange(values.slice(0, -1));
  };
  return (
    <Box>
      <TextField
        label={label}
        fullWidth
        value={text}
        placeholder={placeholder}
        onChange={(e) => setText(e.target.value)}
        onKeyDown={onKeyDown}
        onBlur={commit}
        error={!!error}
        helperText={error ?? helperText}
      />
      {values.length ? (
        <Box sx={{ display: 'flex', gap: 1, flexWrap: 'wrap', mt: 1 }}>
          {values.map((v) => (
            // The chip is one button: Delete or Backspace on it, or its icon, removes the value.
            <Chip
              key={v}
              label={v}
              aria-label={`Remove ${v}`}
              title={`Remove ${v}`}
              onDelete={() => onChange(values.filter((x) => x !== v))}
            />
          ))}
        </Box>
      ) : null}
    </Box>
  );
}
