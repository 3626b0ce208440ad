// Types for the qrcode package's encoder module, which poster.ts imports on its own (its main module
// brings renderers the poster does not use); `create` is the same function the main module exports.
declare module 'qrcode/lib/core/qrcode' {
  import type { QRCode, QRCodeOptions } from 'qrcode';
  export function create(text: string, options?: QRCodeOptions): QRCode;
}
