/** The support desk's lookups: find parents by phone, IIN (theirs or a child's) or queue number, and one parent's whole picture. */
import { currentSeason } from '../../campaign/seasons.ts';
import { normalizePhone } from '../../domain/phone.ts';
import type { Db } from '../../services/db.ts';
import { phoneLock, type IdentificationLimits } from '../../services/identification.ts';

const MAX_FOUND = 20;

export async function findParents(db: Db, query: string) {
  const q = query.trim();
  if (q === '') return [];
  const digits = q.replace(/\D/g, '');
  const ids = new Set<number>();
  if (/^\d{12}$/.test(q)) {
    // Two lookups by unique index (one OR over both tables scans the parents).
    const [own, child] = await Promise.all([
      db.parent.findUnique({ where: { iin: q }, select: { id: true } }),
      db.child.findUnique({ where: { iin: q }, select: { parentId: true } }),
    ]);
    if (own) ids.add(own.id);
    if (child) ids.add(child.parentId);
  }
  if (/^\d{1,9}$/.test(q)) {
    const a = await db.application.findUnique({ where: { queueNumber: Number(q) }, select: { parentId: true } });
    if (a) ids.add(a.parentId);
  }
  const phone = digits.length >= 10 ? normalizePhone(q) : null;
  if (phone) for (const p of await db.parent.findMany({ where: { phone }, select: { id: true }, take: MAX_FOUND })) ids.add(p.id);
  if (ids.size === 0) return [];
  return db.parent.findMany({
    where: { id: { in: [...ids] } },
    orderBy: { id: 'asc' },
    take: MAX_FOUND,
    select: { id: true, iin: true, fullName: true, phone: true, _count: { select: { applications: true } } },
  });
}

export async function parentCard(db: Db, id: number, now: Date, limits: IdentificationLimits) {
  const parent = await db.parent.findUnique({
    where: { id },
    include: {
      applications: { orderBy: { queueNumber: 'asc' }, include: { child: { select: { fullName: true, iin: true, birthDate: true } } } },
      chats: { orderBy: { id: 'asc' } },
      optOuts: true,
    },
  });
  if (!parent) return null;
  const states = parent.chats.length
    ? await db.conversationState.findMany({
        where: { OR: parent.chats.map((c) => ({ channel: c.channel, chatId: c.chatId })) },
        select: { channel: true, chatId: true, state: true, updatedAt: true },
      })
    : [];
  const chats = parent.chats.map((c) => {
    const s = states.find((x) => x.channel === c.channel && x.chatId === c.chatId);
    const screen = s && typeof s.state === 'object' && s.state !== null && 'screen' in s.state ? String((s.state as { screen: unknown }).screen) : null;
    return { ...c, screen, stateAt: s?.updatedAt ?? null };
  });
  const [messages, lock, season] = await Promise.all([
    db.outbox.findMany({
      where: { parentId: id },
      orderBy: { id: 'desc' },
      take: 30,
      select: {
        id: true,
        kind: true,
        channel: true,
        status: true,
        offsetDays: true,
        viaTemplate: true,
        createdAt: true,
        sentAt: true,
        delivery: true,
        error: true,
      },
    }),
    phoneLock(db, limits, parent.phone, now),
    currentSeason(db, now),
  ]);
  return { parent, chats, messages, lock, season };
}
