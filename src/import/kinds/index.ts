import type { ImportKind, ImportKindName } from '../kind.ts';
import { applicationsKind } from './applications.ts';
import { kindergartensKind } from './kindergartens.ts';
import { parentsKind } from './parents.ts';

export const IMPORT_KINDS: Record<ImportKindName, ImportKind<never, never>> = {
  kindergartens: kindergartensKind as unknown as ImportKind<never, never>,
  parents: parentsKind as unknown as ImportKind<never, never>,
  applications: applicationsKind as unknown as ImportKind<never, never>,
};

export { applicationsKind, kindergartensKind, parentsKind };
