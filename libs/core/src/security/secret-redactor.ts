/** What a redacted secret is replaced with. @public */
export const REDACTED_SECRET = '[REDACTED]';

/** Shorter values are not treated as secrets: replacing them would garble ordinary text. */
const MIN_SECRET_LENGTH = 8;
/** Names of environment variables whose values are secrets. */
const SECRET_NAME = /TOKEN|SECRET|PASSWORD|PASSWD|API_KEY|PRIVATE_KEY|CREDENTIAL/i;

/**
 * A URL's password, and the URL itself, when it holds one (`postgres://u:pw@host/db` in a
 * `DATABASE_URL`, a proxy with credentials): the name of the variable does not say it is a secret.
 */
function urlPassword(value: string): string[] {
  if (!/^[a-z][a-z0-9+.-]*:\/\/[^/@\s]*:[^/@\s]+@/i.test(value)) return [];
  try {
    const password = new URL(value).password;
    if (password === '') return [];
    let decoded = password;
    try {
      decoded = decodeURIComponent(password);
    } catch {
      // not percent-encoded: the raw form is the one to hide
    }
    return [value, password, decoded];
  } catch {
    return [];
  }
}

/**
 * The values to hide wherever Harness stores, streams or prompts text: the configured secrets and
 * every environment variable whose name says it is one.
 * @public
 */
export function secretValues(
  env: Readonly<Record<string, string | undefined>>,
  configured: readonly (string | undefined)[],
): string[] {
  const fromEnv = Object.entries(env).flatMap(([name, value]) =>
    value === undefined ? [] : SECRET_NAME.test(name) ? [value] : urlPassword(value),
  );
  return [
    ...new Set(
      [...configured, ...fromEnv].filter((v): v is string => v !== undefined && v.trim().length >= MIN_SECRET_LENGTH),
    ),
  ];
}

/**
 * Replaces every occurrence of the secrets in text, and in every string of a JSON-like value. The
 * last line of defence: secrets should not reach what produced the text in the first place.
 * @public
 */
export class SecretRedactor {
  private readonly secrets: readonly string[];

  constructor(secrets: readonly string[]) {
    // Longest first, so a secret that contains another is replaced whole.
    this.secrets = [...new Set(secrets.filter((s) => s.length >= MIN_SECRET_LENGTH))].sort(
      (a, b) => b.length - a.length,
    );
  }

  get isEmpty(): boolean {
    return this.secrets.length === 0;
  }

  text(value: string): string {
    let out = value;
    for (const secret of this.secrets) if (out.includes(secret)) out = out.split(secret).join(REDACTED_SECRET);
    return out;
  }

  /** A copy of a JSON-like value with every string redacted (keys too). */
  value<T>(value: T): T {
    if (this.secrets.length === 0) return value;
    return this.walk(value) as T;
  }

  private walk(value: unknown): unknown {
    if (typeof value === 'string') return this.text(value);
    if (Array.isArray(value)) return value.map((v) => this.walk(v));
    if (value !== null && typeof value === 'object') {
      return Object.fromEntries(Object.entries(value).map(([k, v]) => [this.text(k), this.walk(v)]));
    }
    return value;
  }
}
