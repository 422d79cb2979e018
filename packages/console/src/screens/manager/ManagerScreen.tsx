import { Box, Tab, Tabs, Typography } from '@mui/material';
import { Link, Navigate, Route, Routes, useLocation } from 'react-router';
import { useSession } from '../../session/session';
import { NotAllowed } from './NotAllowed';
import { UsersScreen } from './UsersScreen';
import { RolesScreen } from './RolesScreen';
import { ClientsScreen } from './ClientsScreen';
import { AuditScreen } from './AuditScreen';
import { StaleCredentialsScreen } from './StaleCredentialsScreen';
import { AppsScreen } from '../admin/AppsScreen';
import { AppScreen } from '../admin/AppScreen';
import { ResourcesScreen } from '../admin/ResourcesScreen';
import { SettingsScreen } from '../admin/SettingsScreen';
import { SsoScreen } from '../admin/SsoScreen';
import { SigningKeysScreen } from '../admin/SigningKeysScreen';
import { tenantBase } from '../../site';
import { WebhooksScreen } from '../admin/WebhooksScreen';
import { WebhookScreen } from '../admin/WebhookScreen';

/** The User & Company Manager: domain managers only (the API is the real guard). */
export default function ManagerScreen() {
  const { me, tenant } = useSession();
  const location = useLocation();
  if (!me?.isDomainManager) return <NotAllowed />;
  const base = `${tenantBase(tenant)}/manage`;
  const tabs = [
    { to: 'users', label: 'Users' },
    { to: 'roles', label: 'Roles' },
    { to: 'oauth2-clients', label: 'OAuth2 clients' },
    { to: 'apps', label: 'Applications' },
    { to: 'stale-credentials', label: 'Stale credentials' },
    { to: 'resources', label: 'Resources' },
    { to: 'settings', label: 'Settings' },
    { to: 'sso', label: 'Single sign-on' },
    { to: 'signing-keys', label: 'Signing keys' },
    { to: 'webhooks', label: 'Webhooks' },
    { to: 'audit', label: 'Audit log' },
  ];
  const current = tabs.findIndex((t) => location.pathname.startsWith(`${base}/${t.to}`));
  return (
    <Box>
      <Typography variant="h5" component="h1" sx={{ mb: 1 }}>
        User &amp; Company Manager
      </Typography>
      <Tabs
        value={current === -1 ? false : current}
        aria-label="Manager sections"
        variant="scrollable"
        sx={{ mb: 2, borderBottom: 1, borderColor: 'divider' }}
      >
        {tabs.map((t) => (
          <Tab key={t.to} label={t.label} component={Link} to={`${base}/${t.to}`} />
        ))}
      </Tabs>
      <Routes>
        <Route index element={<Navigate to="users" replace />} />
        <Route path="users" element={<UsersScreen />} />
        <Route path="roles" element={<RolesScreen />} />
        <Route path="oauth2-clients" element={<ClientsScreen />} />
        <Route path="apps" element={<AppsScreen />} />
        <Route path="apps/:id" element={<AppScreen />} />
        <Route path="stale-credentials" element={<StaleCredentialsScreen />} />
        <Route path="resources" element={<ResourcesScreen />} />
        <Route path="settings" element={<SettingsScreen />} />
        <Route path="sso" element={<SsoScreen />} />
        <Route path="signing-keys" element={<SigningKeysScreen />} />
        <Route path="webhooks" element={<WebhooksScreen />} />
        <Route path="webhooks/:id" element={<WebhookScreen />} />
        <Route path="audit" element={<AuditScreen />} />
        <Route path="*" element={<Navigate to="users" replace />} />
      </Routes>
    </Box>
  );
}
