// What a leader sees of a resident: enough to hand the goods over, not enough to reuse.

/** `13812341234` → `138****1234`. */
export function maskPhone(phone: string): string {
  return phone.length >= 7 ? `${phone.slice(0, 3)}****${phone.slice(-4)}` : '****';
}

/** `王芳` → `王*`, `欧阳娜娜` → `欧***`. */
export function maskName(name: string): string {
  const chars = [...name];
  return chars.length <= 1 ? '*' : chars[0] + '*'.repeat(chars.length - 1);
}
