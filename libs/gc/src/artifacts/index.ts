// Artifacts of a draft: parsing an agent's answer, and keeping every path inside the project.
export { MAX_ARTIFACT_PATH_LENGTH, artifactKindOf, normalizeArtifactPath } from './artifact-path.js';
export { confineToRoot } from './confine-to-root.js';
export { ARTIFACT_LIMITS, parseArtifacts } from './parse-artifacts.js';
export type { ParsedArtifacts } from './parse-artifacts.js';
