import { Box, Button, Typography } from '@mui/material';
import { Link } from 'react-router';

export function NotFoundScreen() {
  return (
    <Box component="main" sx={{ p: 4, textAlign: 'center' }}>
      <Typography variant="h5" component="h1" gutterBottom>
        Page not found
      </Typography>
      <Typography color="text.secondary" sx={{ mb: 2 }}>
        There is no console page at this address.
      </Typography>
      <Button variant="contained" component={Link} to="/">
        GO TO THE CONSOLE
      </Button>
    </Box>
  );
}
