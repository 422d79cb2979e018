import { hash, verify, Algorithm } from '@node-rs/argon2';

// argon2id with OWASP's recommended minimum (19 MiB, 2 passes); only for human passwords.
const OPTIONS = { algorithm: Algorithm.Argon2id, memoryCost: 19456, timeCost: 2, parallelism: 1 };

export function hashPassword(password: string): Promise<string> {
  return hash(password, OPTIONS);
}

// A fixed hash verified when the account does not exist, so timing does not reveal which emails exist.
let dummyHash: Promise<string> | undefined;

export async function verifyPassword(password: string, storedHash: string | null | undefined): Promise<boolean> {
  if (!storedHash) {
    dummyHash ??= hashPassword('latchkey-dummy-password');
    await verify(await dummyHash, password).catch(() => false);
    return false;
  }
  return verify(storedHash, password).catch(() => false);
}
