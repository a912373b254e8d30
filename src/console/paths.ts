/** Where the console lives on the product's HTTP server. */
export const CONSOLE_PREFIX = '/admin';
