/**
 * The operators' command line: `npm run ops -- <command>` or the `kq-ops` bin. Exit codes: 0 done,
 * 1 failed, 2 wrong invocation, 3 import rejected rows and wrote nothing.
 */
import { pathToFileURL } from 'node:url';
import { loadConfig } from '../config/env.ts';
import { databaseOnPGlite, openDatabase } from '../db/client.ts';
import { openEmbeddedPGlite } from '../db/pglite.ts';
import { EncodingError } from '../import/encoding.ts';
import { ImportFileError } from '../import/run-import.ts';
import { SeasonError } from '../campaign/seasons.ts';
import { campaignCommand } from './commands/campaign.ts';
import { importCommand } from './commands/import.ts';
import { purgeCommand } from './commands/purge.ts';
import { seasonCommand } from './commands/season.ts';
import { statsCommand } from './commands/stats.ts';
import { userCommand } from './commands/user.ts';
import { println, UsageError, type OpsContext } from './context.ts';
import { MAIN_HELP } from './help.ts';

const COMMANDS: Record<string, (ctx: OpsContext, args: string[]) => Promise<number>> = {
  import: importCommand,
  season: seasonCommand,
  campaign: campaignCommand,
  purge: purgeCommand,
  stats: statsCommand,
  user: userCommand,
};

export async function runOps(argv: string[], ctx: OpsContext): Promise<number> {
  const [command, ...rest] = argv;
  if (command === undefined || command === '--help' || command === '-h' || command === 'help') {
    println(ctx, MAIN_HELP);
    return command === undefined ? 2 : 0;
  }
  const run = COMMANDS[command];
  if (!run) {
    ctx.stderr.write(`Неизвестная команда / Unknown command: ${command}\n\n${MAIN_HELP}\n`);
    return 2;
  }
  try {
    return await run(ctx, rest);
  } catch (e) {
    if (e instanceof UsageError || (e instanceof TypeError && 'code' in e && String(e.code).startsWith('ERR_PARSE_ARGS'))) {
      const helpOf = e instanceof UsageError ? e.helpOf : command;
      ctx.stderr.write(`${e.message}\nСправка / Help: npm run ops -- ${helpOf} --help\n`);
      return 2;
    }
    if (e instanceof EncodingError || e instanceof ImportFileError || e instanceof SeasonError) {
      ctx.stderr.write(`${e.message}\n`);
      return 1;
    }
    throw e;
  }
}

export function processContext(): OpsContext {
  return {
    stdout: process.stdout,
    stderr: process.stderr,
    now: () => new Date(),
    openDatabase: async () => {
      const config = loadConfig();
      // A command has no chats to keep responsive: the embedded database runs on this thread, where
      // a registry import can load it with COPY (src/import/staging).
      if (config.database.kind === 'embedded') return databaseOnPGlite(await openEmbeddedPGlite(config.database.dataDir));
      return openDatabase(config.database);
    },
    translatorOptions: { portal: process.env['PORTAL_URL'] || 'https://egov.kz', supportPhone: process.env['SUPPORT_PHONE'] || '1414' },
    reach: () => loadConfig().campaign.reach,
    readStdin: async () => {
      const chunks: Buffer[] = [];
      for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
      return Buffer.concat(chunks).toString('utf8');
    },
    sms: () => {
      const config = loadConfig();
      return config.sms && config.links.publicUrl ? { publicUrl: config.links.publicUrl, dailyBudget: config.sms.dailyBudget } : null;
    },
  };
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  runOps(process.argv.slice(2), processContext()).then(
    (code) => {
      process.exitCode = code;
    },
    (e: unknown) => {
      process.stderr.write(`Ошибка / Error: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`);
      process.exitCode = 1;
    },
  );
}
