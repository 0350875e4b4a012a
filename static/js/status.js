// status.js: the words and choices of rich presence, with no DOM, so that
// tests/js/ runs them in Node. What a status is called, on screen and for
// screen readers; the devices someone is on, in words; when a custom
// status expires, in words and as the `until` the protocol carries
// (src/live/protocol/mod.rs). The server writes the same words into the
// list it renders (src/pages/list_items.rs).

/** The statuses a page can show. `invisible` is only ever the viewer's own. */
export const ONLINE = 'online';
export const AWAY = 'away';
export const DND = 'dnd';
export const OFFLINE = 'offline';
export const INVISIBLE = 'invisible';

const STATUS_TEXT = {
  [ONLINE]: 'Online',
  [AWAY]: 'Away',
  [DND]: 'Do not disturb',
  [OFFLINE]: 'Offline',
  [INVISIBLE]: 'Invisible',
};

/** The statuses of other people the server sends. */
const SHOWN = new Set([ONLINE, AWAY, DND, OFFLINE]);

/** The kinds of device, in the order they are named. */
export const DEVICES = ['desktop', 'mobile'];

/** Reads a wire status; anything unknown is null (the caller falls back). */
export function readStatus(status) {
  return SHOWN.has(status) || status === INVISIBLE ? status : null;
}

/** Whether `status` puts a user among those counted online (online, away, dnd). */
export function isPresent(status) {
  return status === ONLINE || status === AWAY || status === DND;
}

/**
 * The part of the list a status puts its user in, as the server orders
 * it (src/users/directory/ranked.rs): 0 online, 1 away or do not
 * disturb, 2 offline.
 */
export function listRank(status) {
  if (status === ONLINE) { return 0; }
  return isPresent(status) ? 1 : 2;
}

/** The visible name of a status, also the dot's text equivalent. */
export function statusText(status) {
  return STATUS_TEXT[status] ?? STATUS_TEXT[OFFLINE];
}

/** Reads a wire `devices` list: the known kinds, in order, each once. */
export function readDevices(devices) {
  if (!Array.isArray(devices)) { return []; }
  return DEVICES.filter((kind) => devices.includes(kind));
}

/** "On desktop and mobile", for screen readers; '' when on none. */
export function devicesText(devices) {
  return devices.length === 0 ? '' : `On ${devices.join(' and ')}`;
}

/** Reads a wire `custom` ({text, until}) into `{ text, until }` or null. */
export function readCustom(custom) {
  if (custom === null || typeof custom !== 'object') { return null; }
  if (typeof custom.text !== 'string' || custom.text === '') { return null; }
  return { text: custom.text, until: Number.isFinite(custom.until) ? custom.until : null };
}

/** Whether a custom status still shows at `now`. */
export function customShows(custom, now) {
  return custom !== null && (custom.until === null || custom.until > now);
}

// The calendar day of `ms` in `timeZone` (the viewer's when undefined).
function dayOf(ms, timeZone) {
  return new Intl.DateTimeFormat('en-CA', { timeZone, year: 'numeric', month: '2-digit', day: '2-digit' })
    .format(new Date(ms));
}

/**
 * "Until 14:30", "Until tomorrow 09:00" or "Until 5 Dec 09:00": when a
 * custom status expiring at `until` ends, as of `now`; "" if it does not.
 * `timeZone` is for tests; the page uses the viewer's own.
 */
export function untilText(until, now, timeZone) {
  if (!Number.isFinite(until)) { return ''; }
  const time = new Intl.DateTimeFormat('en-GB', { timeZone, hour: '2-digit', minute: '2-digit', hourCycle: 'h23' })
    .format(new Date(until));
  const day = dayOf(until, timeZone);
  if (day === dayOf(now, timeZone)) { return `Until ${time}`; }
  if (day === dayOf(now + 24 * 3600 * 1000, timeZone)) { return `Until tomorrow ${time}`; }
  const date = new Intl.DateTimeFormat('en-GB', { timeZone, day: 'numeric', month: 'short' }).format(new Date(until));
  return `Until ${date} ${time}`;
}

const MINUTE = 60 * 1000;
const SPANS = { '30m': 30 * MINUTE, '1h': 60 * MINUTE, '4h': 240 * MINUTE };

/**
 * The `until` (Unix ms) of expiry choice `id` chosen at `now`: null for
 * never, the coming local midnight for today, undefined for an unknown id.
 */
export function expiryUntil(id, now) {
  if (id === 'never') { return null; }
  if (id in SPANS) { return now + SPANS[id]; }
  if (id === 'today') {
    const midnight = new Date(now);
    midnight.setHours(24, 0, 0, 0);
    return midnight.getTime();
  }
  return undefined;
}

/** The viewer's own choices, and what the server's words for them are. */
export const MANUAL = ['auto', DND, INVISIBLE];

/**
 * The viewer's manual choice as a status about them shows it: `invisible`
 * and `dnd` are choices, `online` and `away` mean auto; `offline` says
 * nothing (null).
 */
export function manualOf(status) {
  if (status === DND || status === INVISIBLE) { return status; }
  if (status === ONLINE || status === AWAY) { return 'auto'; }
  return null;
}

/** Reads the page's `data-my-status`, which may be a choice or a status. */
export function readManual(value) {
  return MANUAL.includes(value) ? value : (manualOf(value) ?? 'auto');
}
