// The seed app (the Django Channels tutorial) as a plain Express team would
// write it: express, express-session with its default MemoryStore, ws, bcrypt.
// Same routes, forms and frames as the seed and presence. See README.md.
'use strict';
const crypto = require('node:crypto');
const http = require('node:http');
const express = require('express');
const session = require('express-session');
const bcrypt = require('bcrypt');
const { WebSocketServer } = require('ws');

const PORT = Number(process.argv[2] || process.env.PORT || 8000);
const COST = Number(process.env.BCRYPT_COST || 12);
const users = new Map(); // username -> bcrypt hash
const loggedIn = new Set(); // the seed's LoggedInUser rows
const sockets = new Map(); // username -> Set of open sockets

const app = express();
const sessionParser = session({
  secret: process.env.SECRET_KEY || crypto.randomBytes(32).toString('hex'),
  resave: false,
  saveUninitialized: false,
});
app.use(express.urlencoded({ extended: false }));
app.use(sessionParser);
app.use((req, res, next) => {
  if (req.method !== 'POST' || (req.session.csrf && req.body?.csrfmiddlewaretoken === req.session.csrf)) return next();
  res.status(403).send('CSRF token missing or incorrect.');
});

const token = (req) => (req.session.csrf ??= crypto.randomBytes(16).toString('hex'));
const esc = (s) => String(s).replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
const page = (body) => `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Example Channels</title></head><body>${body}</body></html>`;
function form(req, res, action, fields, button, error = '') {
  const inputs = fields.map(([name, type]) => `<div><label for="id_${name}">${name}:</label> <input type="${type}" name="${name}" id="id_${name}" required></div>`);
  res.send(page(`<form action="${action}" method="post"><input type="hidden" name="csrfmiddlewaretoken" value="${token(req)}">`
    + `${error && `<ul class="errorlist"><li>${esc(error)}</li></ul>`}${inputs.join('')}<button type="submit">${button}</button></form>`));
}
const signUpForm = (req, res, error) => form(req, res, '/sign_up/', [['username', 'text'], ['password1', 'password'], ['password2', 'password']], 'Sign up', error);
const logInForm = (req, res, error) => form(req, res, '/log_in/', [['username', 'text'], ['password', 'password']], 'Log in', error);
const loginRequired = (req, res, next) => (req.session.user ? next() : res.redirect('/log_in/'));

app.get('/sign_up/', (req, res) => signUpForm(req, res));
app.post('/sign_up/', async (req, res) => {
  const { username = '', password1 = '', password2 = '' } = req.body;
  if (!/^[\w.@+-]{1,150}$/.test(username)) return signUpForm(req, res, 'Enter a valid username.');
  if (users.has(username)) return signUpForm(req, res, 'A user with that username already exists.');
  if (password1 !== password2) return signUpForm(req, res, 'The two password fields didn’t match.');
  if (password1.length < 8) return signUpForm(req, res, 'This password is too short. It must contain at least 8 characters.');
  const hash = await bcrypt.hash(password1, COST);
  if (users.has(username)) return signUpForm(req, res, 'A user with that username already exists.'); // signed up meanwhile
  users.set(username, hash);
  broadcast({ type: 'user_added', username });
  res.redirect(303, '/log_in/');
});
app.get('/log_in/', (req, res) => logInForm(req, res));
app.post('/log_in/', async (req, res, next) => {
  const { username = '', password = '' } = req.body;
  const hash = users.get(username);
  if (!hash || !(await bcrypt.compare(password, hash))) return logInForm(req, res, 'Please enter a correct username and password.');
  req.session.regenerate((err) => {
    if (err) return next(err);
    req.session.user = username;
    loggedIn.add(username);
    res.redirect(303, '/');
  });
});
app.post('/log_out/', loginRequired, (req, res, next) => {
  const { user } = req.session;
  loggedIn.delete(user);
  for (const ws of sockets.get(user) || []) if (ws.sid === req.session.id) ws.close(1000, 'logged out');
  req.session.destroy((err) => (err ? next(err) : res.redirect(303, '/log_in/')));
});
app.get('/', loginRequired, (req, res) => {
  const items = [...users.keys()].map((name) => (loggedIn.has(name) ? [name, 'Online'] : [name, 'Offline']))
    .map(([name, status]) => `<li data-username="${esc(name)}" data-status="${status.toLowerCase()}">${esc(name)}: ${status}</li>`);
  res.send(page(`<form action="/log_out/" method="post"><input type="hidden" name="csrfmiddlewaretoken" value="${token(req)}"><button>Log out</button></form><ul>${items.join('')}</ul>`
    + `<script>const s = new WebSocket(location.origin.replace('http', 'ws') + '/users/'); s.onmessage = (e) => { const d = JSON.parse(e.data); if (d.type !== 'presence') return;
    for (const li of document.querySelectorAll('li[data-username]')) if (li.dataset.username === d.username) { li.dataset.status = d.is_logged_in ? 'online' : 'offline'; li.textContent = d.username + (d.is_logged_in ? ': Online' : ': Offline'); } };</script>`));
});

const server = http.createServer(app);
const wss = new WebSocketServer({ noServer: true });
const refuse = (socket, status) => socket.end(`HTTP/1.1 ${status}\r\nConnection: close\r\nContent-Length: 0\r\n\r\n`);
server.on('upgrade', (req, socket, head) => {
  socket.on('error', console.error); // until ws takes the socket over, as in ws's README
  if (req.url.split('?')[0] !== '/users/') return refuse(socket, '404 Not Found');
  if (req.headers.origin && req.headers.origin.replace(/^https?:\/\//, '') !== req.headers.host) return refuse(socket, '403 Forbidden');
  sessionParser(req, {}, () => {
    if (!req.session?.user) return refuse(socket, '401 Unauthorized');
    socket.removeListener('error', console.error);
    wss.handleUpgrade(req, socket, head, (ws) => wss.emit('connection', ws, req));
  });
});
function broadcast(message) { // to every socket, as the seed's Group('users').send
  const text = JSON.stringify(message);
  for (const ws of wss.clients) if (ws.readyState === ws.OPEN) ws.send(text);
}
wss.on('connection', (ws, req) => {
  const { user } = req.session;
  ws.sid = req.session.id;
  ws.on('error', console.error);
  const mine = sockets.get(user) ?? new Set();
  sockets.set(user, mine.add(ws));
  // A user's first socket tells everyone (this one included); any other gets its own status as its first frame.
  if (mine.size === 1) broadcast({ type: 'presence', username: user, is_logged_in: true });
  else ws.send(JSON.stringify({ type: 'presence', username: user, is_logged_in: true }));
  ws.on('message', (data) => { try { if (JSON.parse(data).type === 'ping') ws.send('{"type":"pong"}'); } catch {} });
  ws.on('close', () => {
    if (mine.delete(ws) && mine.size === 0 && sockets.delete(user)) broadcast({ type: 'presence', username: user, is_logged_in: false });
  });
});
server.listen(PORT, process.env.HOST || '127.0.0.1', () => console.log(`node-baseline on ${PORT}`));
