// Waiting between attempts of an optimistic write that lost a race: a short random pause, doubling up to a
// cap, so that writers who collided do not collide again in step.
export const backoff = (attempt: number) => new Promise((r) => setTimeout(r, Math.random() * 5 * 2 ** Math.min(attempt, 6)));

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
