// The payment provider of this stage. The local stage uses the sandbox; other stages verify the
// provider's webhook by API.md's HMAC protocol, and refuse to refund until a real provider's adapter
// (WeChat Pay, say) is added here: a refund then fails loudly into the failure destination rather
// than pretending to have paid money back.
import { config } from '../runtime/config';
import { dynamoSandboxLedger } from '../store/sandbox-payments';
import { verifySignature, SIGNATURE_HEADER, type PaymentProvider } from './provider';
import { sandboxPaymentProvider } from './sandbox';

export const sandbox = sandboxPaymentProvider(() => config.paymentWebhookSecret, dynamoSandboxLedger());

const unconfigured: PaymentProvider = {
  verifyNotification: (rawBody, headers) => verifySignature(config.paymentWebhookSecret, rawBody, headers[SIGNATURE_HEADER]),
  refund: async (request) => {
    throw new Error(`No payment provider adapter in stage ${config.stage}: refund ${request.refundId} not sent`);
  },
};

export const paymentProvider: PaymentProvider = config.isLocal ? sandbox : unconfigured;
