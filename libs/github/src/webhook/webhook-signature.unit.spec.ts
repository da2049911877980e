import { sign } from '@octokit/webhooks-methods';
import { describe, expect, it } from 'vitest';
import { verifyWebhookSignature } from './webhook-signature.js';

describe('verifyWebhookSignature', () => {
  const body = JSON.stringify({ action: 'opened', zero: '\u0000', emoji: '🚀' });

  it('accepts the HMAC-SHA256 of the body with the secret', async () => {
    expect(await verifyWebhookSignature('s3cret', body, await sign('s3cret', body))).toBe(true);
  });

  it('fails closed: another secret or body, a malformed, missing or repeated header, no secret', async () => {
    const good = await sign('s3cret', body);
    expect(await verifyWebhookSignature('other', body, good)).toBe(false);
    expect(await verifyWebhookSignature('s3cret', `${body} `, good)).toBe(false);
    expect(await verifyWebhookSignature('s3cret', body, good.toUpperCase())).toBe(false);
    expect(await verifyWebhookSignature('s3cret', body, good.replace('sha256=', 'sha1='))).toBe(false);
    expect(await verifyWebhookSignature('s3cret', body, `${good}0`)).toBe(false);
    expect(await verifyWebhookSignature('s3cret', body, undefined)).toBe(false);
    expect(await verifyWebhookSignature('s3cret', body, [good, good])).toBe(false);
    expect(await verifyWebhookSignature('s3cret', '', await sign('s3cret', 'x'))).toBe(false);
    expect(await verifyWebhookSignature(undefined, body, good)).toBe(false);
    expect(await verifyWebhookSignature('', body, good)).toBe(false);
  });
});
