#!/usr/bin/env node
// The `kq-ops` bin: the operator CLI is TypeScript, run through tsx's loader.
import { register } from 'tsx/esm/api';

register();
const { runOps, processContext } = await import('./cli.ts');
process.exitCode = await runOps(process.argv.slice(2), processContext());
