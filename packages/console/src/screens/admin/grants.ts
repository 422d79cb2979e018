export const JWT_BEARER = 'urn:ietf:params:oauth:grant-type:jwt-bearer';

/** The grants an application may hold, each in one line (the API takes `jwt-bearer` as a short name). */
export const GRANTS = [
  {
    value: 'client_credentials',
    label: 'Client credentials',
    help: 'The application gets tokens with its own client ID and secret.',
  },
  {
    value: JWT_BEARER,
    label: 'JWT assertion',
    help: 'The application signs a short JWT with its private key; Latchkey checks it with the public keys you register.',
  },
  {
    value: 'refresh_token',
    label: 'Refresh token',
    help: 'A downloaded token file carries a refresh token that gets new access tokens without a new file.',
  },
] as const;

export const grantLabel = (g: string) => GRANTS.find((x) => x.value === g)?.label ?? g;

export function duration(seconds: number): string {
  if (seconds % 86_400 === 0) return `${seconds / 86_400} day${seconds === 86_400 ? '' : 's'}`;
  if (seconds % 3600 === 0) return `${seconds / 3600} hour${seconds === 3600 ? '' : 's'}`;
  if (seconds % 60 === 0) return `${seconds / 60} minute${seconds === 60 ? '' : 's'}`;
  return `${seconds} seconds`;
}
