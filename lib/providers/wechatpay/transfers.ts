// WeChat Pay's 商家转账 (transfer to a user's WeChat balance, the transfer-bills API) behind the payout
// port, and its notification (MCHTRANSFER.BILL.FINISHED). Leaders confirm receipt in WeChat: the bill
// waits in WAIT_USER_CONFIRM with a `package_info` their page passes to requestMerchantTransfer.
import { WeChatPayTransferBillSchema, WeChatPayTransferResourceSchema } from '../../../schemas/wechatpay';
import type { PayoutProvider, TransferResult } from '../../commissions/payout-provider';
import type { Opened } from '../../payments/provider';
import type { WeChatPayClient } from './client';
import { notificationOpener } from './notifications';
import type { WeChatPayMerchant } from './payments';
import { encryptSensitive } from './signing';

export const TRANSFER_NOTIFY_PATH = '/payouts/wechatpay/notify';

/** From 2,000 yuan on, WeChat Pay requires the payee's real name (encrypted), and checks it. */
const NAME_REQUIRED_FROM_FEN = 200_000;

const FINISHED_FAILED = new Set(['FAIL', 'CANCELLED']);

export interface WeChatPayTransfers extends PayoutProvider {
  openTransferResult(rawBody: string, headers: Record<string, string>): Opened<TransferResult>;
}

export function wechatPayTransfers(
  client: WeChatPayClient,
  m: () => WeChatPayMerchant & { transferSceneId: string },
  now: () => Date = () => new Date(),
): WeChatPayTransfers {
  const open = notificationOpener(m, now);
  return {
    needsOpenId: true,

    async pay(request) {
      const s = m();
      if (!request.payee || !request.billNo) throw new Error(`Payout ${request.payoutId}: a transfer needs a payee and a bill number`);
      const withName = request.amountFen >= NAME_REQUIRED_FROM_FEN;
      const bill = await client.request(
        'POST',
        '/v3/fund-app/mch-transfer/transfer-bills',
        {
          appid: s.appid,
          out_bill_no: request.billNo,
          transfer_scene_id: s.transferSceneId,
          openid: request.payee.openId,
          ...(withName ? { user_name: encryptSensitive(request.payee.name, s.keys.wechatPay.key) } : {}),
          transfer_amount: request.amountFen,
          transfer_remark: '团长佣金结算',
          notify_url: `${s.publicUrl}${TRANSFER_NOTIFY_PATH}`,
          // What scene 1005 (佣金报酬) asks to be reported.
          transfer_scene_report_infos: [
            { info_type: '岗位类型', info_content: '社区团购团长' },
            { info_type: '报酬说明', info_content: '团购佣金' },
          ],
        },
        WeChatPayTransferBillSchema,
        // The key the encrypted name can be read with.
        withName ? { 'wechatpay-serial': s.keys.wechatPay.id } : {},
      );
      if (bill.state === 'SUCCESS') return { status: 'paid' };
      if (FINISHED_FAILED.has(bill.state))
        return { status: 'failed', reason: `WeChat Pay transfer ${bill.state}${bill.fail_reason ? `: ${bill.fail_reason}` : ''}` };
      return {
        status: 'submitted',
        reference: bill.transfer_bill_no,
        ...(bill.package_info ? { confirm: { mchId: s.mchid, appId: s.appid, package: bill.package_info } } : {}),
      };
    },

    openTransferResult: open({
      eventTypes: ['MCHTRANSFER.BILL.FINISHED'],
      schema: WeChatPayTransferResourceSchema,
      read: (t, s) => {
        if ((t.mch_id ?? t.mchid) !== s.mchid) return { kind: 'refused', status: 400, message: 'Not our merchant' };
        if (t.state !== 'SUCCESS' && !FINISHED_FAILED.has(t.state)) return { kind: 'ignored', why: `state ${t.state}` };
        return {
          kind: 'event',
          event: {
            billNo: t.out_bill_no,
            status: t.state === 'SUCCESS' ? 'succeeded' : 'failed',
            amountFen: t.transfer_amount,
            ...(t.state === 'SUCCESS' ? {} : { detail: `WeChat Pay transfer ${t.state}${t.fail_reason ? `: ${t.fail_reason}` : ''}` }),
          },
        };
      },
    }),
  };
}
