/** What the console's pages share: the core's parts, the request's operator and language, rendering. */
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Clock } from '../clock.ts';
import type { ReachSettings } from '../config/env.ts';
import type { Locale } from '../conversation/core/views.ts';
import type { OperatorUser } from '../generated/prisma/client.ts';
import type { Translator } from '../i18n/translator.ts';
import type { Logger } from '../log.ts';
import type { PrismaClient } from '../generated/prisma/client.ts';
import type { Actor } from './audit.ts';
import type { Permission } from './auth/roles.ts';
import type { SharedFigures } from './data/cache.ts';
import type { ImportTarget } from '../import/staging/connect.ts';

export interface ConsoleDeps {
  /** The client itself (imports and the purge run their own transactions). */
  prisma: PrismaClient;
  /** The database an import loads with COPY (src/import/staging); absent: through `prisma`. */
  importTarget?: ImportTarget;
  /** Where uploaded registry files and their rejection reports are kept while an operator looks at them. */
  workDir: string;
  translator: Translator;
  clock: Clock;
  logger: Logger;
  /** Signs the session cookie (at least 32 characters). */
  sessionSecret: string;
  /** PUBLIC_URL is https: the cookie is Secure. */
  secureCookies: boolean;
  reach: ReachSettings;
  /** The conversation's IIN attempt limits: the support desk shows and lifts the lock. */
  identification: { maxAttempts: number; lockMinutes: number };
  /** Minutes without a request after which a session ends. */
  idleMinutes?: number;
}

declare module 'fastify' {
  interface Session {
    userId?: number;
    /** When the person signed in (ms): sessions older than the account's sessionsValidFrom are void. */
    signedInAt?: number;
    locale?: Locale;
    flash?: Flash;
  }
  interface FastifyRequest {
    operator: OperatorUser | null;
    locale: Locale;
  }
  interface FastifyContextConfig {
    /** What the route needs; routes without it are public (login, assets). */
    permission?: Permission;
  }
}

export interface Flash {
  kind: 'ok' | 'error';
  key: string;
  params?: Record<string, string | number>;
}

export interface Page {
  /** The view under src/console/views, without ".eta". */
  view: string;
  /** The <title> and the heading: a key under console. */
  title: string;
  data?: Record<string, unknown>;
  status?: number;
}

export type Render = (req: FastifyRequest, reply: FastifyReply, page: Page) => FastifyReply;

export interface PageContext extends ConsoleDeps {
  render: Render;
  /** Heavy figures shared between requests for a few seconds (data/cache.ts). */
  figures: SharedFigures;
}

export function actorOf(req: FastifyRequest): Actor {
  return { userId: req.operator?.id ?? null, username: req.operator?.username ?? 'anonymous', ip: req.ip };
}

export function flash(req: FastifyRequest, f: Flash): void {
  req.session.flash = f;
}

/** A form's text field (urlencoded bodies parse to strings; anything else is absent). */
export function field(req: FastifyRequest, name: string): string {
  const body = req.body as Record<string, unknown> | undefined;
  const v = body?.[name];
  return typeof v === 'string' ? v : '';
}
