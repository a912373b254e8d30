/** Dates are shown in Kazakhstan time whatever the server's zone; the numeric form reads the same in kk and ru. */
const DATE = new Intl.DateTimeFormat('ru-RU', { timeZone: 'Asia/Almaty', day: '2-digit', month: '2-digit', year: 'numeric' });
const TIME = new Intl.DateTimeFormat('ru-RU', { timeZone: 'Asia/Almaty', hour: '2-digit', minute: '2-digit', hour12: false });

export function formatDate(iso: string, withTime: boolean): string {
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return '—';
  return withTime ? `${DATE.format(d)} ${TIME.format(d)}` : DATE.format(d);
}

/** 10000 → "10 000" (a no-break space keeps the amount on one line). */
export function formatAmount(n: number): string {
  return Math.round(n)
    .toString()
    .replace(/\B(?=(\d{3})+(?!\d))/g, '\u00a0');
}
