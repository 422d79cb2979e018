import { useState } from 'react';
import {
  AppBar,
  Avatar,
  Box,
  Divider,
  IconButton,
  ListItemIcon,
  Menu,
  MenuItem,
  Toolbar,
  Tooltip,
  Typography,
} from '@mui/material';
import KeyIcon from '@mui/icons-material/VpnKey';
import ManageIcon from '@mui/icons-material/AdminPanelSettings';
import AppsIcon from '@mui/icons-material/Apps';
import TenantsIcon from '@mui/icons-material/Domain';
import SettingsIcon from '@mui/icons-material/Settings';
import LogoutIcon from '@mui/icons-material/Logout';
import { Link, Outlet, useNavigate } from 'react-router';
import { useSession } from '../session/session';
import { useToast } from './toasts';
import { messageOf } from '../api/problem';
import { hostTenant, tenantBase } from '../site';

const initials = (name: string, email: string) =>
  (name.trim() || email)
    .split(/[\s@.]+/)
    .filter(Boolean)
    .slice(0, 2)
    .map((p) => p[0]!.toUpperCase())
    .join('');

/** Top bar with the profile menu, and the page below it. */
export function Shell() {
  const { me, tenant, signOut } = useSession();
  const [anchor, setAnchor] = useState<HTMLElement | null>(null);
  const navigate = useNavigate();
  const toast = useToast();
  const base = tenantBase(tenant);
  const go = (to: string) => {
    setAnchor(null);
    navigate(to);
  };
  const out = async () => {
    setAnchor(null);
    let provider = null;
    try {
      provider = await signOut();
      toast('You are signed out.', 'info');
    } catch (err) {
      toast(messageOf(err), 'error');
    }
    navigate(`${base}/sign-in`, { replace: true, state: provider ? { signedOutOf: provider } : undefined });
  };
  return (
    <Box sx={{ minHeight: '100vh', bgcolor: 'grey.50' }}>
      <AppBar position="static" color="primary" elevation={0} component="header">
        <Toolbar sx={{ gap: 1 }}>
          <Typography
            variant="h6"
            component={Link}
            to={`${base}/oauth2-clients`}
            sx={{ color: 'inherit', textDecoration: 'none', fontWeight: 700 }}
          >
            Latchkey
          </Typography>
          <Typography variant="body2" sx={{ opacity: 0.85, display: { xs: 'none', sm: 'block' } }}>
            {me?.tenant.name}
          </Typography>
          <Box sx={{ flexGrow: 1 }} />
          <Tooltip title="Profile">
            <IconButton
              onClick={(e) => setAnchor(e.currentTarget)}
              aria-label="Profile menu"
              aria-haspopup="menu"
              aria-controls={anchor ? 'profile-menu' : undefined}
              sx={{ p: 0.5 }}
            >
              <Avatar sx={{ bgcolor: 'secondary.main', width: 36, height: 36, fontSize: 16 }}>
                {me ? initials(me.displayName, me.email) : '?'}
              </Avatar>
            </IconButton>
          </Tooltip>
          <Menu
            id="profile-menu"
            anchorEl={anchor}
            open={anchor !== null}
            onClose={() => setAnchor(null)}
            anchorOrigin={{ vertical: 'bottom', horizontal: 'right' }}
            transformOrigin={{ vertical: 'top', horizontal: 'right' }}
          >
            <MenuItem disabled sx={{ display: 'block', '&.Mui-disabled': { opacity: 1 } }}>
              <Typography variant="subtitle2">{me?.displayName || me?.email}</Typography>
              <Typography variant="body2" color="text.secondary">
                {me?.email}
              </Typography>
            </MenuItem>
            <Divider />
            <MenuItem onClick={() => go(`${base}/oauth2-clients`)}>
              <ListItemIcon>
                <KeyIcon fontSize="small" />
              </ListItemIcon>
              My OAuth2 clients
            </MenuItem>
            {me?.isDomainManager ? (
              <MenuItem onClick={() => go(`${base}/manage/users`)}>
                <ListItemIcon>
                  <ManageIcon fontSize="small" />
                </ListItemIcon>
                User &amp; Company Manager
              </MenuItem>
            ) : null}
            {me?.isDomainManager ? (
              <MenuItem onClick={() => go(`${base}/manage/apps`)}>
                <ListItemIcon>
                  <AppsIcon fontSize="small" />
                </ListItemIcon>
                Applications
              </MenuItem>
            ) : null}
            {me?.isDomainManager ? (
              <MenuItem onClick={() => go(`${base}/manage/settings`)}>
                <ListItemIcon>
                  <SettingsIcon fontSize="small" />
                </ListItemIcon>
                Settings
              </MenuItem>
            ) : null}
            {/* The platform's API is served at PUBLIC_URL's host only, never at a tenant host. */}
            {me?.platformAdmin && !hostTenant ? (
              <MenuItem onClick={() => go(`${base}/platform/tenants`)}>
                <ListItemIcon>
                  <TenantsIcon fontSize="small" />
                </ListItemIcon>
                Tenants
              </MenuItem>
            ) : null}
            <MenuItem onClick={out}>
              <ListItemIcon>
                <LogoutIcon fontSize="small" />
              </ListItemIcon>
              Sign out
            </MenuItem>
          </Menu>
        </Toolbar>
      </AppBar>
      <Box component="main" sx={{ maxWidth: 1200, mx: 'auto', p: { xs: 1.5, sm: 3 } }}>
        <Outlet />
      </Box>
    </Box>
  );
}
