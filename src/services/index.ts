/** The services the channels call around the conversation: reachability and the support desk's files and window. bots/ imports src/services/ only through this file. */
export type { Db } from './db.ts';
export { markUnreachable, recordInboundActivity } from './reachability.ts';
export type { FetchedFile, FileSource } from './support.ts';
