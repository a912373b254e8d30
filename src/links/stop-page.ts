/**
 * The SMS stop link's page, `<PUBLIC_URL>/stop/<token>`, in Kazakh and Russian at once (an SMS
 * reader's language is not known). GET only shows it: link previews and scanners open every link
 * in a message, and must not opt anyone out. The page's one button POSTs to the same address and
 * records the opt-out of SMS for the parent the token names; stopping again changes nothing, and a
 * second button brings the SMS back. No session: the signed token is the credential, and the page
 * shows nothing about the parent. Every text is escaped; the headers keep the page out of frames,
 * caches and referrers (the token is in its address).
 */
import type { Clock } from '../clock.ts';
import type { Locale } from '../conversation/views.ts';
import type { HttpRequest, HttpResponse, HttpServer } from '../http/server.ts';
import type { Translator } from '../i18n/translator.ts';
import type { Logger } from '../log.ts';
import type { Db } from '../services/db.ts';
import { optedOut, optIn, optOut } from '../services/opt-outs.ts';
import { escapeHtml } from '../stats/html-escape.ts';
import { STOP_PATH, type LinkService } from './links.ts';

export interface StopPageDeps {
  prisma: Db;
  links: LinkService;
  translator: Translator;
  clock: Clock;
  logger: Logger;
}

type PageKind = 'ask' | 'stopped' | 'resumed' | 'invalid';

const LANGUAGES: Locale[] = ['kk', 'ru'];

const HEADERS = {
  'content-type': 'text/html; charset=utf-8',
  'cache-control': 'no-store',
  'referrer-policy': 'no-referrer',
  'x-content-type-options': 'nosniff',
  'x-frame-options': 'DENY',
  'content-security-policy': "default-src 'none'; style-src 'unsafe-inline'; form-action 'self'; frame-ancestors 'none'",
};

export function registerStopPage(http: HttpServer, deps: StopPageDeps): void {
  http.routePrefix('GET', STOP_PATH, (req) => show(deps, req));
  http.routePrefix('POST', STOP_PATH, (req) => act(deps, req));
}

async function parentOf(deps: StopPageDeps, req: HttpRequest): Promise<number | null> {
  const token = req.path.slice(STOP_PATH.length);
  return /^[A-Za-z0-9_-]{1,64}$/.test(token) ? deps.links.stopParent(deps.prisma, token) : null;
}

async function show(deps: StopPageDeps, req: HttpRequest): Promise<HttpResponse> {
  const parentId = await parentOf(deps, req);
  if (parentId === null) return page(deps.translator, 'invalid', 404);
  const stopped = (await optedOut(deps.prisma, [parentId], 'SMS')).has(parentId);
  return page(deps.translator, stopped ? 'stopped' : 'ask');
}

async function act(deps: StopPageDeps, req: HttpRequest): Promise<HttpResponse> {
  const parentId = await parentOf(deps, req);
  if (parentId === null) return page(deps.translator, 'invalid', 404);
  const wanted = new URLSearchParams(req.body.toString('utf8')).get('do');
  if (wanted === 'resume') {
    await optIn(deps.prisma, parentId, 'SMS');
    deps.logger.info('SMS opt-out lifted on the stop page');
    return page(deps.translator, 'resumed');
  }
  if (wanted !== 'stop') return page(deps.translator, 'ask', 400);
  await optOut(deps.prisma, parentId, 'SMS', 'sms', deps.clock.now());
  deps.logger.info('SMS opt-out recorded on the stop page');
  return page(deps.translator, 'stopped');
}

/** What each page says, and the button it offers (the form posts `do` with the button's value). */
const CONTENT: Record<PageKind, { text: string; button: { value: 'stop' | 'resume'; label: string } | null }> = {
  ask: { text: 'stopPage.question', button: { value: 'stop', label: 'stopPage.stopButton' } },
  stopped: { text: 'stopPage.stopped', button: { value: 'resume', label: 'stopPage.resumeButton' } },
  resumed: { text: 'stopPage.resumed', button: { value: 'stop', label: 'stopPage.stopButton' } },
  invalid: { text: 'stopPage.invalid', button: null },
};

export function page(tr: Translator, kind: PageKind, status = 200): HttpResponse {
  const { text, button } = CONTENT[kind];
  const both = (key: string) => LANGUAGES.map((l) => escapeHtml(tr.t(l, key))).join(' / ');
  const sections = LANGUAGES.map(
    (l) => `<section lang="${l}"><h1>${escapeHtml(tr.t(l, 'stopPage.title'))}</h1><p>${escapeHtml(tr.t(l, text))}</p></section>`,
  ).join('');
  const form = button
    ? `<form method="post"><input type="hidden" name="do" value="${button.value}"><button type="submit">${both(button.label)}</button></form>`
    : '';
  const body = `<!doctype html>
<html lang="kk"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1"><meta name="robots" content="noindex">
<title>${both('stopPage.title')}</title>
<style>body{font:16px/1.5 system-ui,sans-serif;margin:0;padding:1.5rem;color:#1b1b1b}main{max-width:34rem;margin:auto}h1{font-size:1.2rem}section+section{border-top:1px solid #ddd;margin-top:1rem}button{font:inherit;padding:.7rem 1.2rem;margin-top:1rem;border:0;border-radius:.5rem;background:#1f5fbf;color:#fff}</style>
</head><body><main>${sections}${form}</main></body></html>
`;
  return { status, headers: HEADERS, body };
}
