/** Flat-earth geometry: good to a few metres over a city, which is all the demo data needs. */

const KM_PER_DEGREE_LAT = 111.32;

export interface Point {
  latitude: number;
  longitude: number;
}

export function offsetKm(origin: Point, northKm: number, eastKm: number): Point {
  const kmPerDegreeLon = KM_PER_DEGREE_LAT * Math.cos((origin.latitude * Math.PI) / 180);
  return { latitude: origin.latitude + northKm / KM_PER_DEGREE_LAT, longitude: origin.longitude + eastKm / kmPerDegreeLon };
}

export function distanceKm(a: Point, b: Point): number {
  const kmPerDegreeLon = KM_PER_DEGREE_LAT * Math.cos((((a.latitude + b.latitude) / 2) * Math.PI) / 180);
  return Math.hypot((a.latitude - b.latitude) * KM_PER_DEGREE_LAT, (a.longitude - b.longitude) * kmPerDegreeLon);
}

/** Rounds coordinates to 6 decimals (~10 cm) so stored values are short and stable. */
export function roundPoint(p: Point): Point {
  return { latitude: Math.round(p.latitude * 1e6) / 1e6, longitude: Math.round(p.longitude * 1e6) / 1e6 };
}
