// Readiness beyond the store: the local stack registers its stream poller and scheduler here so that
// GET /health answers 200 only once every part is running. In a cloud there is nothing to register.
const checks = new Map<string, () => boolean>();

export function registerReadinessCheck(name: string, check: () => boolean): void {
  checks.set(name, check);
}

export function notReady(): string[] {
  return [...checks].filter(([, check]) => !check()).map(([name]) => name);
}
