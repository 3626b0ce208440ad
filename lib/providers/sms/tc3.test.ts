// Our TC3-HMAC-SHA256 signer against the worked example in Tencent Cloud's "Signature v3" document
// (CVM DescribeInstances, SecretKey Gu5t9xGARNpq86cd98joQYCN3EXAMPLE, timestamp 1551113065): every
// intermediate value and the final signature must be the published ones.
import { createHash } from 'node:crypto';
import { tc3Signature, utcDate } from './tc3';

const example = {
  secretId: 'AKIDz8krbsJ5yKBZQpn74WFkmLPx3EXAMPLE',
  secretKey: 'Gu5t9xGARNpq86cd98joQYCN3EXAMPLE',
  service: 'cvm',
  host: 'cvm.tencentcloudapi.com',
  contentType: 'application/json; charset=utf-8',
  // The body exactly as the document prints it (Python's json.dumps, with \u escapes).
  payload: String.raw`{"Limit": 1, "Filters": [{"Values": ["\u672a\u547d\u540d"], "Name": "instance-name"}]}`,
  timestamp: 1551113065,
};

test('the published example: canonical request, string to sign, signature and Authorization', () => {
  const signed = tc3Signature(example);
  expect(createHash('sha256').update(example.payload).digest('hex')).toBe(
    '35e9c5b0e3ae67532d3c9f17ead6c90222632e5b1ff7f6e89887f1398934f064',
  );
  expect(signed.canonicalRequest).toBe(
    'POST\n/\n\ncontent-type:application/json; charset=utf-8\nhost:cvm.tencentcloudapi.com\n\ncontent-type;host\n' +
      '35e9c5b0e3ae67532d3c9f17ead6c90222632e5b1ff7f6e89887f1398934f064',
  );
  expect(signed.stringToSign).toBe(
    'TC3-HMAC-SHA256\n1551113065\n2019-02-25/cvm/tc3_request\n5ffe6a04c0664d6b969fab9a13bdab201d63ee709638e2749d62a09ca18d7031',
  );
  expect(signed.signature).toBe('72e494ea809ad7a8c8f7a4507b9bddcbaa8e581f516e8da2f66e2c5a96525168');
  expect(signed.authorization).toBe(
    'TC3-HMAC-SHA256 Credential=AKIDz8krbsJ5yKBZQpn74WFkmLPx3EXAMPLE/2019-02-25/cvm/tc3_request, ' +
      'SignedHeaders=content-type;host, Signature=72e494ea809ad7a8c8f7a4507b9bddcbaa8e581f516e8da2f66e2c5a96525168',
  );
});

test('the scope date is the UTC date of the timestamp, not the date in China (00:44 on the 26th there)', () => {
  expect(utcDate(1551113065)).toBe('2019-02-25');
  expect(utcDate(1551139200)).toBe('2019-02-26');
});

test('any change to the body, the host or the time changes the signature', () => {
  const base = tc3Signature(example).signature;
  expect(tc3Signature({ ...example, payload: example.payload.replace('1', '2') }).signature).not.toBe(base);
  expect(tc3Signature({ ...example, host: 'sms.tencentcloudapi.com' }).signature).not.toBe(base);
  expect(tc3Signature({ ...example, timestamp: example.timestamp + 1 }).signature).not.toBe(base);
});
