import sys, re, collections
samples=[]; cur=None
for line in open(sys.argv[1]):
    if not line.strip():
        if cur: samples.append(cur); cur=None
        continue
    if not line.startswith('\t') and not line.startswith(' '):
        parts=line.rstrip('\n').rsplit(' ',2)
        cur=[line.split(' ')[0] if not line.startswith('actix-rt') else 'actix-rt', []]
        cur[0]=re.split(r'\s+\d+\s*$', line.rstrip())[0].strip()
    else:
        s=line.strip().split(' ',1)
        cur[1].append(s[1] if len(s)>1 else '')
if cur: samples.append(cur)
rules=[
 ('login: bcrypt', r'bcrypt|blowfish'),
 ('login/form HTTP handlers (not the socket)', r'presence::auth::log_in|presence::auth::sign_up|csrf'),
 ('ws: hub (PresenceHub handlers, roster, mailbox)', r'presence::live::hub|PresenceHub|roster'),
 ('ws: snapshot frame build/serialize', r'snapshot|Snapshot|protocol::ServerFrame|serde_json'),
 ('session middleware: DB query (sea-orm/sqlx, caller side)', r'InnerSessionMiddleware.*|(?=)'),
]
def cat(comm, st):
    s=' | '.join(st)
    if re.search(r'bcrypt|blowfish', s): return 'login: bcrypt hashing'
    if comm.startswith('sqlx-sqlite'):
        if re.search(r'sqlite3', s): return 'sqlite worker: SQLite itself'
        return 'sqlite worker: channel/futex/wakeups/other'
    if comm.startswith('actix-server'): return 'acceptor thread (accept, hand to worker)'
    if comm.startswith('tokio-rt-worker') or comm=='presence': return 'other threads ('+comm+')'
    # actix-rt worker thread: find outermost meaningful frame, from the root down
    for f in reversed(st):
        if 'InnerSessionMiddleware' in f or 'set_session_cookie' in f or 'SessionStore' in f or 'DbSessionStore' in f:
            if re.search(r'sea_orm|sqlx|flume', s): return 'worker: session load/update, DB calls (sea-orm/sqlx client side, wakes)'
            if re.search(r'set_session_cookie|cookie::', s): return 'worker: session cookie (sign/encode, Set-Cookie)'
            # deeper: inner services inside session middleware
            break
    if re.search(r'MaybeUser|current_user|presence::users', s):
        if re.search(r'sea_orm|sqlx|flume', s): return 'worker: user lookup, DB calls (client side)'
        return 'worker: user lookup, other'
    if re.search(r'InnerIdentityMiddleware', s) and not re.search(r'handler_service|users_socket', s): return 'worker: actix-identity'
    if re.search(r'presence::live::hub|PresenceHub|Roster|roster', s): return 'worker: hub (PresenceHub)'
    if re.search(r'[Ss]napshot|ServerFrame', s): return 'worker: snapshot'
    if re.search(r'WsSession|WebsocketContext|actix_web_actors|users_socket|handshake|sha1|Sha1', s): return 'worker: WebSocket session/handshake/actor'
    if re.search(r'security::headers', s): return 'worker: security headers middleware'
    if re.search(r'sea_orm|sqlx|flume', s): return 'worker: other DB calls (client side)'
    if re.search(r'InnerSessionMiddleware', s): return 'worker: session middleware, other'
    if re.search(r'sendto|__send|poll_write|poll_flush|tcp_sendmsg', s): return 'worker: socket writes (h1 dispatcher)'
    if re.search(r'recvfrom|__recv|poll_read|tcp_recvmsg', s): return 'worker: socket reads'
    if re.search(r'h1::dispatcher|h1::codec|httparse|Decoder', s): return 'worker: HTTP/1 dispatcher, parsing'
    if re.search(r'epoll_wait|park|mio::poll', s): return 'worker: epoll/park'
    if re.search(r'tracing', s): return 'worker: tracing'
    if re.search(r'LocalSet|actix::|Mailbox|mailbox', s): return 'worker: actix actor runtime/mailboxes'
    return 'worker: other'
c=collections.Counter(); tot=0
for comm, st in samples:
    c[cat(comm, st)]+=1; tot+=1
for k,v in c.most_common(): print(f'{v:6d} {100*v/tot:5.1f}%  {k}')
print(tot,'samples')
