/** The inbox of platform updates: recorded before processing, each processed once. bots/ imports src/inbox/ only through this file. */
export {
  INBOX_STALE_AFTER_MS,
  claimStaleInbound,
  countAttempt,
  markProcessed,
  recordInbound,
  recordInboundReadingConversation,
  unprocessedInbound,
} from './inbox.ts';
