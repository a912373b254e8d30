/** The registry import as the process entry schedules it. bots/ imports src/import/ only through this file. */
export { registryFolderTick } from './folder-sync.ts';
export { registryReach } from './kind.ts';
