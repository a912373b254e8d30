/** The campaign as the channels and the process entry use it: the scheduler, the outbox dispatcher and the senders' contract, delivery statuses, SMS. bots/ imports src/campaign/ only through this file. */
export { deepLinksFor } from './outbox/deep-links.ts';
export { isDeliveryState, recordDeliveryStatus, type DeliveryStatus } from './outbox/delivery-status.ts';
export { createDispatcher, type Dispatcher } from './outbox/dispatcher.ts';
export { REGISTRY_DEFAULT_LOCALE, recordUndeliverableAddress } from './outreach.ts';
export { startScheduler } from './scheduler.ts';
export { SendFailure, type Notification, type NotificationSender, type SendOutcome } from './senders.ts';
export { SmsNotifier } from './sms/notifier.ts';
export { SmsProviderError, type SmsFailure, type SmsProvider } from './sms/provider.ts';
