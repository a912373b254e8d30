import type { ImportKind, ImportKindName } from '../kind.ts';
import { applicationsKind } from './applications.ts';
import { kindergartensKind } from './kindergartens.ts';
import { parentsKind } from './parents.ts';

// Reason: each kind is generic in its own row types; the runner only passes a kind's parsed rows back to the same kind, which TypeScript cannot express for a table of them.
export const IMPORT_KINDS: Record<ImportKindName, ImportKind<never, never>> = {
  kindergartens: kindergartensKind as unknown as ImportKind<never, never>,
  parents: parentsKind as unknown as ImportKind<never, never>,
  applications: applicationsKind as unknown as ImportKind<never, never>,
};

export { applicationsKind, kindergartensKind, parentsKind };
