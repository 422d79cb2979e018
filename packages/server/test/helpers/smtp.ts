import type { AddressInfo } from 'node:net';
import { SMTPServer } from 'smtp-server';

export interface Mail {
  to: string[];
  subject: string;
  raw: string;
  at: number;
}

/**
 * An SMTP server on loopback (smtp-server) that keeps what it receives. `slowRecipients` makes it
 * take `delayMs` to accept each of those addresses (a slow mail system for one domain).
 */
export async function startSmtp(opts: { slowRecipients?: string[]; delayMs?: number } = {}) {
  const mails: Mail[] = [];
  const slow = new Set(opts.slowRecipients ?? []);
  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS'],
    onRcptTo(address, _session, callback) {
      if (slow.has(address.address)) setTimeout(callback, opts.delayMs ?? 0);
      else callback();
    },
    onData(stream, session, done) {
      let raw = '';
      stream.on('data', (d) => {
        raw += d;
      });
      stream.on('end', () => {
        const subject = /^Subject: (.*(?:\r\n[ \t].*)*)/m.exec(raw)?.[1].replace(/\r\n[ \t]/g, ' ') ?? '';
        mails.push({ to: session.envelope.rcptTo.map((r) => r.address), subject, raw, at: Date.now() });
        done();
      });
    },
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return {
    mails,
    port: (server.server.address() as AddressInfo).port,
    close: () => new Promise<void>((r) => server.close(() => r())),
  };
}
