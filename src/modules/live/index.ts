/** Public surface of the live module: the feed pushed to clients and its route. */
export {
  LIVE_EVENT_CHANGES,
  type LiveAlert,
  type LiveEvent,
  type LiveEventChange,
  LiveFeed,
  type LiveFeedOptions,
  type LiveReading,
  type LiveSend,
} from './live.feed.ts';
export { type LiveRouteOptions, registerLiveRoutes } from './live.routes.ts';
