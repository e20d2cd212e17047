import { SENSING_SUBJECTS } from './modules/sensing/index.ts';
import { trafficSubjects } from './modules/traffic/index.ts';
import { mergeSubjects } from './platform/bus/index.ts';
import { eventCentreSubjects } from './workflows/event-centre.ts';

/** Every bus subject and its payload schema, merged from the modules that publish them. */
export const SUBJECTS = mergeSubjects(SENSING_SUBJECTS, eventCentreSubjects, trafficSubjects);

/** The application's subject registry type. */
export type Subjects = typeof SUBJECTS;
