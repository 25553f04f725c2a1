/**
 * `promise`, or an Error(`message`) once `ms` have passed without it settling. What it raced goes on (a
 * Playwright call ends when its page closes); its own late rejection is handled here, never unhandled.
 */
export async function settleWithin<T>(promise: Promise<T>, ms: number, message: () => string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(message())), Math.max(0, ms));
  });
  try {
    return await Promise.race([promise, deadline]);
  } finally {
    clearTimeout(timer);
  }
}

/**
 * One named step of a long test, with a deadline of its own: a step whose await never settles (a key press a
 * frozen page never handles, a request never answered, a check that never returns) fails the test naming the
 * step, instead of the test hanging until jest's timeout with no word of where. Keep `timeoutMs` above the
 * Playwright timeouts inside it, so theirs (which name the locator) fire first when they can.
 */
export async function step<T>(name: string, fn: () => Promise<T>, timeoutMs = 45_000): Promise<T> {
  return settleWithin(fn(), timeoutMs, () => `step "${name}" did not finish within ${timeoutMs} ms`);
}

/**
 * Polls until `check` returns a truthy value (no sleeps in tests, only bounded polling). A check that does not
 * settle by the deadline (a database read that never answers) fails the wait too: the deadline bounds it all.
 */
export async function waitFor<T>(check: () => Promise<T | null | undefined | false>, opts: { timeoutMs?: number; intervalMs?: number; what?: string } = {}): Promise<T> {
  const deadline = Date.now() + (opts.timeoutMs ?? 10_000);
  const what = opts.what ?? 'condition';
  let last: unknown;
  for (;;) {
    let v: T | null | undefined | false = undefined;
    let settled = true;
    try {
      // A second past the deadline, so a slow last check may still answer.
      v = await settleWithin(check(), deadline + 1000 - Date.now(), () => {
        settled = false;
        return `a check did not settle`;
      });
      if (v) return v;
    } catch (err) {
      if (!settled) throw new Error(`Timed out waiting for ${what}: its check did not settle by the deadline`);
      last = err;
    }
    if (Date.now() > deadline) {
      throw new Error(`Timed out waiting for ${what}${last ? `: ${String(last)}` : ''}`);
    }
    await new Promise((r) => setTimeout(r, opts.intervalMs ?? 50));
  }
}
