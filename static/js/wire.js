// wire.js: the socket's frames (src/live/protocol/mod.rs) and the
// directory's users (src/api.rs), read into the page's own records at this
// one boundary, with no DOM. A record is `{ status, lastSeenAt, custom,
// devices }`: `status` one of status.js's, `custom` `{ text, until }` or
// null, `devices` a list of kinds. A seed-format frame (only
// `is_logged_in`) reads as online or offline, with nothing more.

import { OFFLINE, ONLINE, isPresent, readCustom, readDevices, readStatus } from './status.js';

function time(value) {
  return Number.isFinite(value) ? value : null;
}

// The status of a frame or listed user: `status` when known, else the
// seed's flag. An offline user shows no custom status and no devices.
function readRich(status, loggedIn, raw) {
  const known = readStatus(status) ?? (loggedIn === true ? ONLINE : OFFLINE);
  const shown = known !== OFFLINE;
  return {
    status: known,
    custom: shown ? readCustom(raw?.custom) : null,
    devices: shown ? readDevices(raw?.devices) : [],
  };
}

/**
 * Reads a parsed frame of the /users/ socket into an event, or null for a
 * malformed frame or one that changes no user (pong). Error frames become
 * `{ kind: 'error', reason }`, counts `{ kind: 'counts', online, away, dnd }`.
 */
export function readFrame(frame) {
  if (frame === null || typeof frame !== 'object') { return null; }
  if (frame.type === 'snapshot') {
    if (!Array.isArray(frame.online)) { return null; }
    const lastSeen = new Map();
    if (frame.last_seen !== null && typeof frame.last_seen === 'object') {
      for (const [username, at] of Object.entries(frame.last_seen)) {
        if (Number.isFinite(at)) { lastSeen.set(username, at); }
      }
    }
    const users = frame.users !== null && typeof frame.users === 'object' ? frame.users : {};
    const online = new Map();
    for (const name of frame.online) {
      if (typeof name !== 'string') { continue; }
      const raw = Object.hasOwn(users, name) ? users[name] : null;
      const rich = readRich(raw?.status, true, raw);
      // Everyone in `online` is present, whatever else the entry says.
      online.set(name, isPresent(rich.status) ? rich : { ...rich, status: ONLINE });
    }
    return { kind: 'snapshot', online, lastSeen, watching: frame.watching === true };
  }
  if (frame.type === 'counts') {
    const count = (value) => (Number.isSafeInteger(value) && value >= 0 ? value : null);
    const [online, away, dnd] = [count(frame.online), count(frame.away), count(frame.dnd)];
    if (online === null || away === null || dnd === null) { return null; }
    return { kind: 'counts', online, away, dnd };
  }
  if (frame.type === 'error') {
    return { kind: 'error', reason: typeof frame.reason === 'string' ? frame.reason : 'refused' };
  }
  if (typeof frame.username !== 'string') { return null; }
  if (frame.type === 'presence') {
    return {
      kind: 'status',
      username: frame.username,
      ...readRich(frame.status, frame.is_logged_in, frame),
      lastSeenAt: time(frame.last_seen_at),
    };
  }
  if (frame.type === 'user_added') { return { kind: 'added', username: frame.username }; }
  return null;
}

/** Reads one user of a GET /api/users page into `{ username, ...record }`, or null. */
export function readListedUser(user) {
  if (user === null || typeof user !== 'object' || typeof user.username !== 'string') {
    return null;
  }
  return {
    username: user.username,
    ...readRich(user.status, user.online, user),
    lastSeenAt: time(user.last_seen_at),
  };
}
