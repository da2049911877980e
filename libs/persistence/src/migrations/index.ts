import { InitialSchema1764000000000 } from './1764000000000-initial-schema.js';

/** Every migration, oldest first. New ones are appended; committed ones are never edited. */
export const MIGRATIONS = [InitialSchema1764000000000];
