import type { WebhookPayload } from '../domain/webhooks/events.js';

export interface EmailText {
  subject: string;
  text: string;
}

/** The plain-text email for an event (only EMAIL_EVENTS are emailed). */
export function emailFor(p: WebhookPayload, publicUrl: string): EmailText {
  const d = p.data as {
    tenant: string;
    name?: string;
    clientId?: string;
    days?: number;
    expiresAt?: string;
    url?: string;
    source?: string;
    overlapEnded?: boolean;
    overlapEndsAt?: string | null;
    by?: string;
  };
  const client = `"${d.name ?? 'unnamed'}" (${d.clientId ?? 'unknown client id'})`;
  const where = `${publicUrl}/console/t/${d.tenant}/`;
  const footer = `\n\nDomain: ${d.tenant}\nConsole: ${where}\n\nYou get this email as the owner or as a manager of the domain.\n`;
  switch (p.type) {
    case 'personal_client.expiring': {
      const when = d.days === 1 ? '1 day' : `${d.days} days`;
      return {
        subject: `Personal OAuth2 client ${d.name} expires in ${when}`,
        text: `The personal OAuth2 client ${client} expires in ${when}, at ${d.expiresAt}.\n\nScripts that use it stop working then. To keep them working, create a new client in the console and replace the client id and secret where they are used.${footer}`,
      };
    }
    case 'personal_client.reported_leaked':
    case 'app.reported_leaked':
      if (d.overlapEnded)
        return {
          subject: `The replaced secret of ${d.name} stopped working: it was found in public`,
          text: `The secret that ${client} had before its last rotation, still working during the rotation's overlap, was reported as leaked${d.source ? ` by ${d.source}` : ''}${d.url ? ` at ${d.url}` : ''}. It stopped working at once, and so did the tokens it obtained. The current secret was not reported and keeps working.\n\nRemove the old secret from where it was published, and move what still used it to the current secret.${footer}`,
        };
      if (p.type === 'app.reported_leaked')
        return {
          subject: `Application ${d.name} got a new secret: the old one was found in public`,
          text: `The secret of the application ${client} was reported as leaked${d.source ? ` by ${d.source}` : ''}${d.url ? ` at ${d.url}` : ''}. It was replaced at once: the old secret no longer works.\n\nRemove it from where it was published, then regenerate the secret in the console (the replacement was shown to nobody) and install the new one where the application runs.${footer}`,
        };
      return {
        subject: `Personal OAuth2 client ${d.name} was revoked: its secret was found in public`,
        text: `The secret of the personal OAuth2 client ${client} was reported as leaked${d.source ? ` by ${d.source}` : ''}${d.url ? ` at ${d.url}` : ''}, and the client was revoked.\n\nRemove the secret from where it was published, create a new client and use it instead.${footer}`,
      };
    case 'personal_client.secret_rotated': {
      const when = d.overlapEndsAt ? `keeps working until ${d.overlapEndsAt}` : 'stopped working at once';
      return {
        subject: `Personal OAuth2 client ${d.name} got a new secret from a domain manager`,
        text: `A domain manager rotated the secret of the personal OAuth2 client ${client}; the client id is unchanged. The old secret ${when}.\n\nThe new secret was shown only to that manager: ask them for it and install it where the client is used. Rotating the secret yourself in the console also gives you one, but ends the old secret at once.${footer}`,
      };
    }
    case 'refresh_token.reported_leaked':
      return {
        subject: `A refresh token of ${d.name ?? d.clientId} was revoked: it was found in public`,
        text: `A refresh token issued to ${client} was reported as leaked${d.source ? ` by ${d.source}` : ''}${d.url ? ` at ${d.url}` : ''}. Its whole grant was revoked: the refresh token and the access tokens it issued no longer work.\n\nRemove it from where it was published and sign in again (or download a new token file) to get a new one.${footer}`,
      };
    default:
      return {
        subject: `Personal OAuth2 client ${d.name} was revoked`,
        text: `The personal OAuth2 client ${client} was revoked and no longer works.\n\nIf you still need one, create a new client in the console.${footer}`,
      };
  }
}
