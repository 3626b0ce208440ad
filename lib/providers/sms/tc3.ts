// Tencent Cloud API 3.0 request signing (TC3-HMAC-SHA256), as Tencent documents it: a canonical request
// over the method, path, signed headers and the body's hash; a string to sign scoped to the UTC date and
// the service; a key derived from the secret key through the date, the service and `tc3_request`.
import { createHash, createHmac } from 'node:crypto';

export const TC3_ALGORITHM = 'TC3-HMAC-SHA256';

export interface Tc3Request {
  secretId: string;
  secretKey: string;
  /** The product, e.g. `sms`: the first label of its domain. */
  service: string;
  /** The Host header as sent. */
  host: string;
  contentType: string;
  /** The exact body sent. */
  payload: string;
  /** Unix seconds: the `X-TC-Timestamp` sent. */
  timestamp: number;
}

const sha256Hex = (s: string) => createHash('sha256').update(s, 'utf8').digest('hex');
const hmac = (key: string | Buffer, s: string) => createHmac('sha256', key).update(s, 'utf8').digest();

/** The UTC date of a timestamp; the scope's date must be UTC, or signatures fail around midnight in China. */
export const utcDate = (timestamp: number) => new Date(timestamp * 1000).toISOString().slice(0, 10);

export function tc3Signature(request: Tc3Request): {
  authorization: string;
  signature: string;
  canonicalRequest: string;
  stringToSign: string;
} {
  const signedHeaders = 'content-type;host';
  const canonicalRequest = [
    'POST',
    '/',
    '',
    `content-type:${request.contentType.toLowerCase()}\nhost:${request.host.toLowerCase()}\n`,
    signedHeaders,
    sha256Hex(request.payload),
  ].join('\n');
  const date = utcDate(request.timestamp);
  const scope = `${date}/${request.service}/tc3_request`;
  const stringToSign = [TC3_ALGORITHM, String(request.timestamp), scope, sha256Hex(canonicalRequest)].join('\n');
  const signingKey = hmac(hmac(hmac(`TC3${request.secretKey}`, date), request.service), 'tc3_request');
  const signature = createHmac('sha256', signingKey).update(stringToSign, 'utf8').digest('hex');
  return {
    authorization: `${TC3_ALGORITHM} Credential=${request.secretId}/${scope}, SignedHeaders=${signedHeaders}, Signature=${signature}`,
    signature,
    canonicalRequest,
    stringToSign,
  };
}
