// The counter locks itself when the clerk steps away, so the next person in
// the queue cannot issue under their name.

export function isIdle(lastActivityMs: number, nowMs: number, lockMinutes: number): boolean {
  if (lockMinutes <= 0) return false;
  return nowMs - lastActivityMs >= lockMinutes * 60_000;
}

/** Seconds left before the lock, for the warning shown in the last minute. */
export function secondsLeft(lastActivityMs: number, nowMs: number, lockMinutes: number): number {
  return Math.max(0, Math.ceil((lastActivityMs + lockMinutes * 60_000 - nowMs) / 1000));
}
