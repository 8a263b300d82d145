// Rate limits count per calendar minute (as LiteLLM's do): a test that must see one minute's
// count starts away from the minute's end, so its requests never straddle two windows.
export async function awayFromMinuteEnd(needMs = 5000): Promise<void> {
  const left = 60_000 - (Date.now() % 60_000);
  if (left < needMs) await new Promise((resolve) => setTimeout(resolve, left + 50));
}
