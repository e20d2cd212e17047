/** Public surface of the notify module. */
export { type Channel, emailChannel, inAppChannel, smsChannel, webhookChannel } from './notify.channels.ts';
export { notifyMigrations } from './notify.migrations.ts';
export { registerNotifyRoutes } from './notify.routes.ts';
export { type Message, type NotificationDto, NotificationSchema, type Recipient } from './notify.schema.ts';
export { type Notifier, type NotifyDeps, NotifyService } from './notify.service.ts';
