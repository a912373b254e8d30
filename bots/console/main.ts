/**
 * `npm run chat`: the whole conversation in the terminal, on the same database and core as the
 * bots, with no bot credentials. Demo parents' credentials are printed to start with.
 */
import { createInterface } from 'node:readline/promises';
import { startCore } from '../../src/app.ts';
import { ConfigError, loadConfig } from '../../src/config/index.ts';
import { DEMO_PARENTS } from '../../src/db/index.ts';
import { createLogger } from '../../src/log.ts';
import { ConsoleChat } from './chat.ts';

async function main(): Promise<void> {
  const config = loadConfig();
  const core = await startCore(config, { logger: createLogger(process.env.LOG_LEVEL ?? 'warn') });
  const chat = new ConsoleChat(core.runtime, core.translator, process.env.CHAT_ID ?? 'local');
  const rl = createInterface({ input: process.stdin, output: process.stdout, terminal: process.stdin.isTTY });

  console.log('Console chat — the same conversation as the Telegram and WhatsApp bots.');
  console.log('Type a number to press a button, or type text. /menu, /language, /help, /cancel work too; Ctrl+D quits.');
  console.log('Demo parents (phone, then IIN of the parent or a child):');
  for (const p of DEMO_PARENTS) console.log(`  ${p.phone}  IIN ${p.iin}  — children: ${p.children.map((c) => c.state).join(', ')}`);
  console.log('');
  console.log(await chat.start());
  try {
    for await (const line of rl) {
      if (line.trim() === '') continue;
      console.log(`\n${await chat.send(line)}\n`);
    }
  } finally {
    rl.close();
    await core.close();
  }
}

main().catch((err) => {
  console.error(err instanceof ConfigError ? err.message : err);
  process.exit(1);
});
