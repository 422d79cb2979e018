import { Box, IconButton, MenuItem, TextField, Typography } from '@mui/material';
import ChevronLeft from '@mui/icons-material/ChevronLeft';
import ChevronRight from '@mui/icons-material/ChevronRight';
import { useState } from 'react';

/** Server-side pages through the API's opaque cursor: a stack of the cursors seen so far. */
export function useCursorPages(initialLimit = 50) {
  const [stack, setStack] = useState<(string | undefined)[]>([undefined]);
  const [limit, setLimitState] = useState(initialLimit);
  const cursor = stack[stack.length - 1];
  return {
    cursor,
    limit,
    page: stack.length,
    next: (nextCursor: string) => setStack((s) => [...s, nextCursor]),
    previous: () => setStack((s) => (s.length > 1 ? s.slice(0, -1) : s)),
    reset: () => setStack([undefined]),
    setLimit: (n: number) => {
      setLimitState(n);
      setStack([undefined]);
    },
  };
}
export type CursorPages = ReturnType<typeof useCursorPages>;

export function CursorPager({
  pages,
  nextCursor,
  shown,
}: {
  pages: CursorPages;
  nextCursor: string | null | undefined;
  shown: number;
}) {
  const first = (pages.page - 1) * pages.limit + (shown ? 1 : 0);
  return (
    <Box sx={{ display: 'flex', alignItems: 'center', justifyContent: 'flex-end', gap: 1, p: 1, flexWrap: 'wrap' }}>
      <TextField
        select
        size="small"
        label="Rows per page"
        value={pages.limit}
        onChange={(e) => pages.setLimit(Number(e.target.value))}
        sx={{ width: 130 }}
      >
        {[25, 50, 100, 200].map((n) => (
          <MenuItem key={n} value={n}>
            {n}
          </MenuItem>
        ))}
      </TextField>
      <Typography variant="body2" aria-live="polite">
        {shown ? `${first}–${first + shown - 1}` : 'none'}
      </Typography>
      <IconButton aria-label="Previous page" disabled={pages.page === 1} onClick={pages.previous}>
        <ChevronLeft />
      </IconButton>
      <IconButton aria-label="Next page" disabled={!nextCursor} onClick={() => nextCursor && pages.next(nextCursor)}>
        <ChevronRight />
      </IconButton>
    </Box>
  );
}
