/** WhatsApp's 24-hour customer-service window; the rule lives in the domain, where the console's inbox reads it too. */
export { SERVICE_WINDOW_MS, withinServiceWindow } from '../../src/domain/service-window.ts';
