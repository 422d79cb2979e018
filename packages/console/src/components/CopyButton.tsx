import { useState } from 'react';
import { IconButton, Typography } from '@mui/material';
import ContentCopy from '@mui/icons-material/ContentCopy';
import Check from '@mui/icons-material/Check';

/** Copies `value`; says "Copied" for a moment, or asks to copy by hand when the browser refuses. */
export function CopyButton({ value, label }: { value: string; label: string }) {
  const [state, setState] = useState<'idle' | 'copied' | 'failed'>('idle');
  const copy = async () => {
    try {
      await navigator.clipboard.writeText(value);
      setState('copied');
    } catch {
      setState('failed');
    }
    setTimeout(() => setState('idle'), 2000);
  };
  return (
    <>
      <IconButton size="small" onClick={copy} aria-label={label} title={label}>
        {state === 'copied' ? <Check fontSize="small" color="success" /> : <ContentCopy fontSize="small" />}
      </IconButton>
      {state !== 'idle' ? (
        <Typography
          component="span"
          variant="caption"
          role="status"
          sx={{ ml: 0.5, color: state === 'copied' ? 'success.main' : 'error.main' }}
        >
          {state === 'copied' ? 'Copied' : 'Copying is blocked: select the text and copy it'}
        </Typography>
      ) : null}
    </>
  );
}
