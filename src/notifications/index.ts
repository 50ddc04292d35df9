export { createMailTransport, type EmailMessage, type Mailer, type OutgoingEmail } from './mailer.js';
export { EMAIL_SEND, NotificationService, type NotificationServiceDeps } from './notification-service.js';
export { emailMessageSchema, type EmailMessageInput, type ValidEmailMessage } from './notification-schemas.js';
export { emailRecipient } from './recipient.js';
