import nodemailer from 'nodemailer';

export interface Mailer {
  send(mail: { to: string[]; subject: string; text: string }): Promise<void>;
  close(): void;
}

/**
 * SMTP through nodemailer (SMTP_URL, e.g. smtp://user:pass@mail.example.com:587). A stalled mail
 * server gives up well within the dispatcher's lease on the message (nodemailer would wait up to
 * 10 minutes), so another process never sends the same email while this one still tries.
 */
export function smtpMailer(url: string, from: string): Mailer {
  const transport = nodemailer.createTransport({
    url,
    connectionTimeout: 10_000,
    greetingTimeout: 10_000,
    socketTimeout: 20_000,
  });
  return {
    async send(mail) {
      await transport.sendMail({ from, to: mail.to, subject: mail.subject, text: mail.text });
    },
    close: () => transport.close(),
  };
}
