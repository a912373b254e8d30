/** WhatsApp's 24-hour customer-service window; the rule lives in the domain, where the console's inbox reads it too. */
export { withinServiceWindow } from '../../src/domain/index.ts';
