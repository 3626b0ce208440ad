// The one money helper of the pages: integer fen ↔ yuan text, shared with the server's share text.
export { formatYuan, parseYuan } from '@schemas/money';
