/**
 * What Latchkey knows about the issuers that CI systems and clusters run, to refuse policies that
 * would trust more than their author thinks.
 *
 * The rule behind every preset: a policy must pin an identity that nobody else can come to hold.
 * GitHub's and GitLab's issuers sign tokens for every repository of every user of the service, and
 * their `sub` is built from names (`repo:octo-org/deploy:ref:refs/heads/main`): a deleted or renamed
 * organisation's name can be registered by someone else, whose workflows then carry the very same
 * `sub`. Their numeric ids (`repository_id`, `project_id`, …) are never reused, so a GitHub or GitLab
 * policy needs an exact condition on one of them.
 *
 * A Kubernetes service-account issuer is the cluster's own: only the cluster signs for it, and its
 * `sub` (`system:serviceaccount:<namespace>:<name>`) names a service account that only the
 * cluster's administrators can create. Pinning `sub` exactly is enough there (a namespace or name
 * pattern is not: it would take in accounts created later).
 *
 * Any other issuer: OpenID Connect says `sub` is unique within its issuer and never reassigned, so
 * an exact `sub` is the identity. An issuer whose `sub` breaks that promise needs a preset.
 */
export const FEDERATION_PRESETS = ['github-actions', 'gitlab-ci', 'kubernetes'] as const;
export type FederationPreset = (typeof FEDERATION_PRESETS)[number];

export interface PresetRules {
  /** For people: "GitHub Actions". */
  label: string;
  /** The issuer of the hosted service; a policy may name another (GitHub Enterprise Server, self-managed GitLab). */
  issuer?: string;
  /** Claims that identify the workload immutably: a policy needs an exact condition on at least one. */
  identity: readonly string[];
  /** What an identity value must look like, and how to say so. */
  identityForm: { pattern: RegExp; description: string };
  /** The claims a condition may name (the identity ones included); undefined: any claim. */
  claims?: readonly string[];
  /** Why the identity is needed, ending the refusal of a policy without one. */
  why: string;
}

const NUMERIC = { pattern: /^[0-9]{1,20}$/, description: 'a numeric id (e.g. 123456789), not a name' };

export const PRESETS: Record<FederationPreset | 'generic', PresetRules> = {
  'github-actions': {
    label: 'GitHub Actions',
    issuer: 'https://token.actions.githubusercontent.com',
    identity: ['repository_id', 'repository_owner_id'],
    identityForm: NUMERIC,
    claims: [
      'repository_id',
      'repository_owner_id',
      'ref',
      'ref_type',
      'environment',
      'job_workflow_ref',
      'workflow_ref',
      'event_name',
      'repository',
      'repository_owner',
      'actor_id',
      'runner_environment',
      'sub',
    ],
    why: "GitHub signs tokens for every repository on GitHub, and a `sub` pattern alone can be matched by other people's workflows (an organisation or repository name that is freed can be taken by someone else; its numeric id never is)",
  },
  'gitlab-ci': {
    label: 'GitLab CI',
    issuer: 'https://gitlab.com',
    identity: ['project_id', 'namespace_id'],
    identityForm: NUMERIC,
    claims: [
      'project_id',
      'namespace_id',
      'ref',
      'ref_type',
      'ref_protected',
      'environment',
      'environment_protected',
      'pipeline_source',
      'project_path',
      'namespace_path',
      'ci_config_ref_uri',
      'user_id',
      'sub',
    ],
    why: "GitLab signs tokens for every project on the instance, and a `sub` pattern alone can be matched by other people's pipelines (a group or project path that is freed can be taken by someone else; its numeric id never is)",
  },
  kubernetes: {
    label: 'Kubernetes',
    identity: ['sub'],
    identityForm: {
      pattern: /^system:serviceaccount:[a-z0-9]([a-z0-9.-]{0,251}[a-z0-9])?:[a-z0-9]([a-z0-9.-]{0,251}[a-z0-9])?$/,
      description: 'one service account, exactly: system:serviceaccount:<namespace>:<name>',
    },
    claims: ['sub'],
    why: 'the cluster signs for every service account in it, and a pattern would also take in accounts created later',
  },
  generic: {
    label: 'OpenID Connect',
    identity: ['sub'],
    identityForm: { pattern: /^[^*]+$/, description: 'the exact subject, without *' },
    why: "the issuer may sign for other workloads too, and a `sub` pattern alone can be matched by other people's workloads",
  },
};

/** The preset whose hosted issuer this is, so a policy for GitHub's or GitLab's issuer gets their rules even unnamed. */
export function presetOfIssuer(issuer: string): FederationPreset | null {
  for (const name of FEDERATION_PRESETS) if (PRESETS[name].issuer === issuer) return name;
  return null;
}
