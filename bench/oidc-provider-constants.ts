// Shared by the oidc-provider server script and the bench that loads it.
export const CLIENT_ID = 'bench';
export const CLIENT_SECRET = 'bench-secret-0123456789abcdef0123456789abcdef';
export const RESOURCE = 'urn:bench:api';
