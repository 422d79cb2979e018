export interface Resource {
  id: string;
  tenantId: string;
  name: string;
  audience: string;
  scopes: string[];
  /** What each scope allows, in words, for the people who grant it (scopes without one are absent). */
  scopeDescriptions: Record<string, string>;
  createdAt: number;
}

/** The sample protected API every new tenant can grant access to. */
export const SAMPLE_RESOURCE = {
  name: 'Sample API',
  audience: 'urn:latchkey:sample-api',
  scopes: ['myservices', 'metering'],
  scopeDescriptions: {
    myservices: 'Read the services you are entitled to and their instances (My Services)',
    metering: 'Read your usage figures (Metering)',
  },
};
