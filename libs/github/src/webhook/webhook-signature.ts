import { verify } from '@octokit/webhooks-methods';

/** GitHub's `X-Hub-Signature-256` value: `sha256=` and the HMAC as 64 lower-case hex digits. */
const SIGNATURE = /^sha256=[0-9a-f]{64}$/;

/**
 * True only when `signature` (the `X-Hub-Signature-256` header) is the HMAC-SHA256 of `body` with
 * `secret`, compared in constant time. Fails closed: no secret, no body, a missing, repeated or
 * malformed header are all `false`, never an exception.
 * @public
 */
export async function verifyWebhookSignature(
  secret: string | undefined,
  body: string,
  signature: unknown,
): Promise<boolean> {
  if (secret === undefined || secret === '' || body === '') return false;
  if (typeof signature !== 'string' || !SIGNATURE.test(signature)) return false;
  try {
    return await verify(secret, body, signature);
  } catch {
    return false;
  }
}
