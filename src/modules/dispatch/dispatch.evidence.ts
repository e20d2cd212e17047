/**
 * Photo proof of a task. Checking and storing the bytes moved to `src/platform/photos.ts`
 * (the citizen's complaint photos in the events module use the same rules); this file keeps
 * the names dispatch has always exported.
 */
export { type StoredPhoto, sniffImage, storePhoto } from '../../platform/photos.ts';
