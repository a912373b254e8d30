/** The metrics the channels count. bots/ imports src/metrics/ only through this file. */
export { outcomeOfStatus, type ApiOutcome, type Metrics } from './metrics.ts';
