export interface Resource {
  id: string;
  tenantId: string;
  name: string;
  audience: string;
  scopes: string[];
  createdAt: number;
}

/** The sample protected API every new tenant can grant access to. */
export const SAMPLE_RESOURCE = {
  name: 'Sample API',
  audience: 'urn:latchkey:sample-api',
  scopes: ['myservices', 'metering'],
};
