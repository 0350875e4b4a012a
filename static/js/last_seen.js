// last_seen.js: "last seen 5 minutes ago", how long ago an offline user was
// online. The same rules as src/pages/last_seen.rs, which renders the
// phrase before any script runs; this copy keeps it current as time passes
// and words the changes the socket brings. No DOM: tests/js/ checks it
// against the Rust module's own cases.

const MINUTE = 60 * 1000;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;
const MONTH = 30 * DAY;
const YEAR = 365 * DAY;

/** The phrase for a user last seen at `at` (Unix ms, or null for never), at `now`. */
export function lastSeenPhrase(at, now) {
  if (!Number.isFinite(at)) { return 'never logged in'; }
  // A clock that moved backwards must not print "-3 minutes ago".
  const ago = Math.max(0, now - at);
  if (ago < MINUTE) { return 'last seen just now'; }
  const [size, unit] = ago < HOUR ? [MINUTE, 'minute']
    : ago < DAY ? [HOUR, 'hour']
      : ago < MONTH ? [DAY, 'day']
        : ago < YEAR ? [MONTH, 'month']
          : [YEAR, 'year'];
  const count = Math.floor(ago / size);
  return `last seen ${count} ${unit}${count === 1 ? '' : 's'} ago`;
}
