/** Public surface of the events module (the event centre). */

export { CLASSIFY, DEDUPE } from './events.decide.ts';
export { DEFAULT_EVENT_OPTIONS, type EventDeps, type EventOptions, type Rule } from './events.deps.ts';
export { computeKpis, type Kpis } from './events.kpis.ts';
export { eventMigrations } from './events.migrations.ts';
export {
  type NoteLanguage,
  noteLanguage,
  renderNote,
  STATUS_NOTE_CODES,
  type StatusNoteCode,
} from './events.notes.ts';
export {
  type CitizenPhotos,
  citizenPhotoPath,
  type EventPhoto,
  EventPhotoSchema,
  type PhotoLimits,
  uploadIdOf,
} from './events.photos.ts';
export { registerEventRoutes } from './events.routes.ts';
export type { EventDetail, EventDto, IntakeInput, IntakeResult, Source } from './events.schema.ts';
export { intakeAlert } from './events.sensing.ts';
export { EventService } from './events.service.ts';
export { consumedSubjects, eventSubjects, type SensingAlert, SensingAlertSchema } from './events.subjects.ts';
