// Unit tests of static/js/item.js without a DOM: what a line of the list
// shows, and that line as the HTML src/pages/list_items.rs writes. The
// browser tests check that the element drawn live equals the one the
// server rendered.

import assert from 'node:assert/strict';
import { test } from 'node:test';

import { escapeHtml, itemHtml, itemView } from '../../static/js/item.js';

const MINUTE = 60_000;
const NOW = Date.UTC(2026, 11, 3, 9, 30);
const person = (status, more = {}) => ({ status, lastSeenAt: null, custom: null, devices: [], ...more });
const line = (name, who) => itemHtml(itemView(name, who, NOW, 'UTC'));

test('an online line has a green dot with its words, the devices, and no last seen', () => {
  assert.equal(line('bob', person('online', { devices: ['desktop', 'mobile'] })),
    '<li class="user" data-username="bob" data-status="online" data-devices="desktop mobile">'
    + '<span class="user-dot" role="img" aria-label="Online"></span>'
    + '<span class="user-name">bob</span> <span class="user-status">Online</span> '
    + '<span class="user-devices" aria-label="On desktop and mobile"></span> '
    + '<span class="user-seen"></span></li>');
});

test('away and do not disturb are named, and a custom status follows with its expiry', () => {
  const custom = { text: '🎧 focus', until: NOW + 90 * MINUTE };
  assert.equal(line('ann', person('dnd', { devices: ['mobile'], custom })),
    '<li class="user" data-username="ann" data-status="dnd" data-devices="mobile">'
    + '<span class="user-dot" role="img" aria-label="Do not disturb"></span>'
    + '<span class="user-name">ann</span> <span class="user-status">Do not disturb</span> '
    + '<span class="user-devices" aria-label="On mobile"></span> '
    + '<span class="user-seen"></span> '
    + `<span class="user-custom" tabindex="0" data-until="${NOW + 90 * MINUTE}" title="Until 11:00">🎧 focus</span></li>`);
  const away = itemView('cy', person('away', { custom: { text: 'lunch', until: null } }), NOW);
  assert.equal(away.statusText, 'Away');
  assert.deepEqual(away.custom, { text: 'lunch', until: null, title: null });
  assert.match(itemHtml(away), /<span class="user-custom" tabindex="0">lunch<\/span><\/li>$/);
});

test('an offline line says when the user was last seen, and shows no devices or custom status', () => {
  const gone = person('offline', {
    lastSeenAt: NOW - 5 * MINUTE, devices: ['desktop'], custom: { text: 'stale', until: null },
  });
  assert.equal(line('amy', gone),
    `<li class="user" data-username="amy" data-status="offline" data-last-seen="${NOW - 5 * MINUTE}">`
    + '<span class="user-dot" role="img" aria-label="Offline"></span>'
    + '<span class="user-name">amy</span> <span class="user-status">Offline</span> '
    + '<span class="user-devices"></span> '
    + '<span class="user-seen">last seen 5 minutes ago</span></li>');
  assert.match(line('new', person('offline')), /data-status="offline"><span.*>never logged in</);
});

test('an expired custom status is not shown, even before the frame that clears it', () => {
  const view = itemView('bob', person('online', { custom: { text: 'brb', until: NOW } }), NOW);
  assert.equal(view.custom, null);
  assert.doesNotMatch(itemHtml(view), /user-custom/);
});

test('the viewer sees themselves invisible, with their custom status', () => {
  const view = itemView('me', person('invisible', { devices: ['desktop'], custom: { text: 'hiding', until: null } }), NOW);
  assert.equal(view.status, 'invisible');
  assert.equal(view.statusText, 'Invisible');
  assert.equal(view.seen, '');
  assert.equal(view.custom.text, 'hiding');
});

test('names and custom texts are escaped as Tera escapes them', () => {
  assert.equal(escapeHtml(`<b>"x"&'y'</b>`), '&lt;b&gt;&quot;x&quot;&amp;&#x27;y&#x27;&lt;&#x2F;b&gt;');
  const html = line('<b>', person('online', { custom: { text: '<script>"', until: null } }));
  assert.doesNotMatch(html, /<b>|<script>/);
  assert.match(html, />&lt;script&gt;&quot;<\/span><\/li>$/);
});
