import { QueryClient } from '@tanstack/react-query';
import { ApiError } from './problem';

export const queryClient = new QueryClient({
  defaultOptions: {
    queries: {
      // A 4xx will not change by asking again; network hiccups may.
      retry: (count, err) => !(err instanceof ApiError && err.status < 500) && count < 2,
      refetchOnWindowFocus: false,
      // What a route loader just fetched is not asked for again when the screen mounts.
      staleTime: 10_000,
    },
  },
});
