import { Alert, AlertTitle, Button, Box } from '@mui/material';
import { Link } from 'react-router';
import { useSession } from '../../session/session';
import { tenantBase } from '../../site';

export function NotAllowed() {
  const { me, tenant } = useSession();
  return (
    <Box sx={{ maxWidth: 640 }}>
      <Alert severity="warning" role="alert">
        <AlertTitle>Not allowed</AlertTitle>
        The User &amp; Company Manager is for domain managers of {me?.tenant.name ?? tenant}. Your account is not one.
        If you need to manage users or clients, ask a domain manager to give you the domain manager role.
      </Alert>
      <Button sx={{ mt: 2 }} variant="contained" component={Link} to={`${tenantBase(tenant)}/oauth2-clients`}>
        MY OAUTH2 CLIENTS
      </Button>
    </Box>
  );
}
