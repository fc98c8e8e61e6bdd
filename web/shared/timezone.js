// Local date and time in a hub's time zone, as people type them (an <input type="datetime-local">
// value, "2026-11-30T08:00"), to and from the API's ISO times with an offset. Nobody types an
// offset: the zone is the hub's, whatever the browser's zone is.

const partsFormats = new Map();

function partsIn(timeZone, date) {
  if (!partsFormats.has(timeZone)) {
    partsFormats.set(timeZone, new Intl.DateTimeFormat("en-US", {
      timeZone, hourCycle: "h23", year: "numeric", month: "2-digit", day: "2-digit",
      hour: "2-digit", minute: "2-digit", second: "2-digit",
    }));
  }
  const parts = {};
  for (const { type, value } of partsFormats.get(timeZone).formatToParts(date)) parts[type] = value;
  return parts;
}

/** Minutes the zone is ahead of UTC at that instant (Paris in winter: 60). */
function offsetMinutes(timeZone, date) {
  const p = partsIn(timeZone, date);
  const asUtc = Date.UTC(+p.year, +p.month - 1, +p.day, +p.hour % 24, +p.minute, +p.second);
  return Math.round((asUtc - Math.floor(date.getTime() / 1000) * 1000) / 60000);
}

const pad = (n) => String(n).padStart(2, "0");

function offsetText(minutes) {
  const sign = minutes < 0 ? "-" : "+";
  const abs = Math.abs(minutes);
  return `${sign}${pad(Math.trunc(abs / 60))}:${pad(abs % 60)}`;
}

/** "2026-11-30T08:00" (seconds optional) in "Europe/Paris" -> "2026-11-30T08:00:00+01:00"; null
 * for "" or a bad value.
 * A time that does not exist (the hour skipped in spring) moves forward by the gap, as clocks do. */
export function zonedToIso(local, timeZone) {
  const match = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})(?::(\d{2}))?$/.exec(local || "");
  if (!match) return null;
  const [, y, mo, d, h, mi, sec] = match.map((part) => Number(part || 0));
  const wall = Date.UTC(y, mo - 1, d, h, mi, sec);
  // The offset at the wall time read as UTC, then again at the instant found (DST edges).
  let offset = offsetMinutes(timeZone, new Date(wall));
  offset = offsetMinutes(timeZone, new Date(wall - offset * 60000));
  const instant = new Date(wall - offset * 60000);
  const p = partsIn(timeZone, instant);
  return `${p.year}-${p.month}-${p.day}T${pad(+p.hour % 24)}:${p.minute}:${p.second}${offsetText(offsetMinutes(timeZone, instant))}`;
}

/** An ISO time -> "2026-11-30T08:00" as the clocks of `timeZone` show it; "" for none. */
export function isoToZoned(iso, timeZone) {
  if (!iso) return "";
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) return "";
  const p = partsIn(timeZone, date);
  return `${p.year}-${p.month}-${p.day}T${pad(+p.hour % 24)}:${p.minute}`;
}
