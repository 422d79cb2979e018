import nodemailer from 'nodemailer';

export interface Mailer {
  send(mail: { to: string[]; subject: string; text: string }): Promise<void>;
  close(): void;
}

/** SMTP through nodemailer (SMTP_URL, e.g. smtp://user:pass@mail.example.com:587). */
export function smtpMailer(url: string, from: string): Mailer {
  const transport = nodemailer.createTransport(url);
  return {
    async send(mail) {
      await transport.sendMail({ from, to: mail.to, subject: mail.subject, text: mail.text });
    },
    close: () => transport.close(),
  };
}
