import type { ChannelName } from '../src/conversation/index.ts';

/** A messaging channel attached to the core by the process entry. */
export interface ChannelAdapter {
  readonly name: ChannelName;
  /** Starts receiving updates (long polling, or webhook routes already on the HTTP server). */
  start(): Promise<void>;
  /** Stops receiving updates and waits for the ones in flight. */
  stop(): Promise<void>;
}
