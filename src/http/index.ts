/** The HTTP server's route types and bounded body reading. bots/ imports src/http/ only through this file. */
export { readLimited } from './read-limited.ts';
export type { HttpHandler, HttpRequest, HttpResponse } from './server.ts';
