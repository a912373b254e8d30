/**
 * Parses option numbers typed instead of tapped: "1, 4, 7", "1 4 7", "1;4". Returns the distinct
 * numbers in order, or null when anything is not a number from 1 to `max`.
 */
export function pickNumbers(input: string, max: number): number[] | null {
  const parts = input.split(/[\s,;.]+/).filter((p) => p.length > 0);
  if (parts.length === 0 || parts.length > max) return null;
  const seen: number[] = [];
  for (const p of parts) {
    if (!/^\d{1,3}$/.test(p)) return null;
    const n = Number(p);
    if (n < 1 || n > max) return null;
    if (!seen.includes(n)) seen.push(n);
  }
  return seen;
}
