// Secrets never leave the SDK in text meant for people or logs. Two nets: the shapes Latchkey gives its
// secrets (refresh tokens `lk_rt_…`, client secrets `lk_cs_…`, console sessions `lk_ss_…`, JWT access
// tokens), and the exact values a client was configured with or received (a password has no
// recognisable shape).

const SHAPES = [/lk_(?:rt|cs|ss)_[A-Za-z0-9_-]+/g, /\beyJ[A-Za-z0-9_-]*\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*/g];
export const REDACTED = '[REDACTED]';

/** Replaces every secret-shaped substring. */
export function redactShapes(text: string): string {
  return SHAPES.reduce((t, re) => t.replace(re, REDACTED), text);
}

/** How many received tokens are remembered (older ones have long been rotated out). */
const RECENT_TOKENS = 64;

/**
 * The secrets one client knows, to scrub from text that came from elsewhere: the configured ones
 * (password, client secret) for the client's whole life, the received tokens while they are recent.
 */
export class SecretSet {
  readonly #configured = new Set<string>();
  readonly #received = new Set<string>();

  /** A configured secret, remembered for good. */
  pin(...values: (string | undefined)[]): void {
    for (const v of values) if (isSecretLike(v)) this.#configured.add(v);
  }

  /** A received token (access or refresh), remembered among the most recent ones. */
  add(...values: (string | undefined)[]): void {
    for (const v of values) {
      if (!isSecretLike(v)) continue;
      this.#received.delete(v);
      this.#received.add(v);
      if (this.#received.size > RECENT_TOKENS) this.#received.delete(this.#received.values().next().value!);
    }
  }

  redact(text: string): string {
    let out = text;
    for (const v of [...this.#configured, ...this.#received]) out = out.split(v).join(REDACTED);
    return redactShapes(out);
  }

  toJSON(): string {
    return REDACTED;
  }
}

/** Very short values would blank out ordinary words; real secrets are long. */
function isSecretLike(v: string | undefined): v is string {
  return typeof v === 'string' && v.length >= 6;
}
