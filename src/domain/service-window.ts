/**
 * WhatsApp's customer-service window: for 24 hours after the user's last message the business may
 * send free-form messages; after that only approved templates. The chat link's `lastInboundAt`
 * (kept by the channel) decides which a business-initiated message must be.
 */
export const SERVICE_WINDOW_MS = 24 * 60 * 60 * 1000;

/**
 * True when a free-form message may still be sent. The margin keeps a message queued just before
 * the window closes from arriving after it (and failing with 131047).
 */
export function withinServiceWindow(lastInboundAt: Date | null | undefined, now: Date, marginMs = 10 * 60 * 1000): boolean {
  if (!lastInboundAt) return false;
  const age = now.getTime() - lastInboundAt.getTime();
  return age >= -marginMs && age < SERVICE_WINDOW_MS - marginMs;
}
