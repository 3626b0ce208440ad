// The share page's state: the group buy behind the link, the resident's picks, and placing the order
// with one idempotency key per attempt (a double tap, or a retry after a lost answer, orders once).
import { computed, onUnmounted, reactive, ref } from 'vue';
import type { GroupBuyView } from '../../api/client';
import { api, ApiError, describeError } from '../../api/client';
import { countdown } from '../../lib/time';

export type Item = GroupBuyView['items'][number];

/** How many of an item one order may take: what stock and the per-person limit allow (the API checks again). */
export const maxOf = (item: Item) => Math.min(item.remaining ?? 999, item.perResidentLimit ?? 999, 999);
export const soldOut = (item: Item) => item.remaining !== undefined && item.remaining <= 0;

const CONTACT_KEY = 'tuangou.contact';

export function useShare(shareToken: string) {
  const view = ref<GroupBuyView>();
  const loadError = ref<ApiError | Error>();
  const picks = reactive<Record<string, number>>({});
  const now = ref(Date.now());
  const timer = setInterval(() => (now.value = Date.now()), 1000);
  onUnmounted(() => clearInterval(timer));

  async function load() {
    loadError.value = undefined;
    try {
      view.value = await api.shareView(shareToken);
      document.title = `${view.value.title} · ${view.value.leader.pickupPoint.name}`;
    } catch (err) {
      loadError.value = err as Error;
    }
  }

  const left = computed(() => (view.value ? countdown(view.value.cutoffAt, now.value) : ''));
  const open = computed(() => view.value?.status === 'open' && left.value !== '');
  const lines = computed(() =>
    (view.value?.items ?? [])
      .filter((i) => (picks[i.productId] ?? 0) > 0)
      .map((i) => ({ productId: i.productId, quantity: picks[i.productId]! })),
  );
  /** A preview of the sum for the bar; the order's total is the server's. */
  const previewFen = computed(() => (view.value?.items ?? []).reduce((sum, i) => sum + i.groupPriceFen * (picks[i.productId] ?? 0), 0));

  const saved = JSON.parse(localStorage.getItem(CONTACT_KEY) ?? '{}') as { contactName?: string; contactPhone?: string };
  const contact = reactive({ contactName: saved.contactName ?? '', contactPhone: saved.contactPhone ?? '', note: '' });

  // One key per attempt: made when an attempt starts, reused by every send of it, dropped once it succeeds
  // or the picks change (a different order is a new attempt).
  let attemptKey: string | undefined;
  let attemptBody = '';
  const placing = ref(false);
  const placeError = ref('');

  async function place(): Promise<string | undefined> {
    if (placing.value) return undefined; // a second tap while the first is on its way
    placing.value = true;
    placeError.value = '';
    const body = {
      shareToken,
      items: lines.value,
      contactName: contact.contactName.trim(),
      contactPhone: contact.contactPhone.trim(),
      ...(contact.note.trim() ? { note: contact.note.trim() } : {}),
    };
    const fingerprint = JSON.stringify(body);
    if (!attemptKey || fingerprint !== attemptBody) {
      attemptKey = crypto.randomUUID();
      attemptBody = fingerprint;
    }
    try {
      const order = await api.placeOrder(body, attemptKey);
      localStorage.setItem(CONTACT_KEY, JSON.stringify({ contactName: body.contactName, contactPhone: body.contactPhone }));
      attemptKey = undefined;
      return order.orderId;
    } catch (err) {
      placeError.value = describeError(err);
      // The answer tells the state changed: show the latest stock and status.
      if (err instanceof ApiError && (err.code === 'OUT_OF_STOCK' || err.code === 'GROUP_BUY_CLOSED')) await load();
      return undefined;
    } finally {
      placing.value = false;
    }
  }

  return { view, loadError, picks, left, open, lines, previewFen, contact, place, placing, placeError, load };
}
