#!/usr/bin/env python
"""
End-to-end smoke test of the presence protocol, against an already running
server (this script starts nothing).

    smoke.py [BASE_URL]        (default: http://127.0.0.1:18765)

Uses only the public protocol: HTML forms with the hidden
`csrfmiddlewaretoken` input + cookie jar, and the /users/ WebSocket.
Exits non-zero on the first failed check.
"""

import asyncio
import json
import re
import secrets
import sys
from http.cookies import SimpleCookie
from urllib.parse import urlsplit

import httpx
from websockets.asyncio.client import connect
from websockets.exceptions import InvalidStatus

TIMEOUT = 5.0
PASSWORD = "Smoke-test-pw-7319"  # passes Django's default password validators
CSRF_RE = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')


class SmokeFailure(Exception):
    pass


def check(cond, msg):
    if not cond:
        raise SmokeFailure(msg)
    print(f"ok: {msg}")


def csrf_token(client, path):
    r = client.get(path)
    check(r.status_code == 200, f"GET {path} -> 200 (got {r.status_code})")
    m = CSRF_RE.search(r.text)
    check(m is not None, f"GET {path} has a hidden csrfmiddlewaretoken input")
    check("csrftoken" in client.cookies, f"GET {path} set the csrftoken cookie")
    return m.group(1)


def redirect_path(r):
    return urlsplit(r.headers.get("location", "")).path


def sign_up(client, username):
    token = csrf_token(client, "/sign_up/")
    r = client.post(
        "/sign_up/",
        data={
            "csrfmiddlewaretoken": token,
            "username": username,
            "password1": PASSWORD,
            "password2": PASSWORD,
        },
    )
    check(
        r.status_code in (302, 303) and redirect_path(r) == "/log_in/",
        f"POST /sign_up/ {username} -> redirect to /log_in/ "
        f"(got {r.status_code} {r.headers.get('location')!r})",
    )


def log_in(client, username, origin=None):
    token = csrf_token(client, "/log_in/")
    headers = {"Origin": origin} if origin else {}
    r = client.post(
        "/log_in/",
        data={"csrfmiddlewaretoken": token, "username": username, "password": PASSWORD},
        headers=headers,
    )
    check(
        r.status_code in (302, 303) and redirect_path(r) == "/",
        f"POST /log_in/ {username} (Origin: {origin}) -> redirect to / "
        f"(got {r.status_code} {r.headers.get('location')!r})",
    )
    check("sessionid" in client.cookies, f"{username} has a sessionid cookie")


def cookie_header(client):
    return "; ".join(f"{k}={v}" for k, v in client.cookies.items())


def ws_url(base):
    parts = urlsplit(base)
    scheme = "wss" if parts.scheme == "https" else "ws"
    return f"{scheme}://{parts.netloc}/users/"


def ws_connect(base, client=None, origin=None):
    headers = {"Cookie": cookie_header(client)} if client is not None else None
    return connect(
        ws_url(base),
        additional_headers=headers,
        origin=origin,
        proxy=None,
        compression=None,
        open_timeout=TIMEOUT,
    )


async def expect(ws, want, what):
    """Read frames until one equals `want` (other frames are reported, skipped)."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + TIMEOUT
    while True:
        remaining = deadline - loop.time()
        if remaining <= 0:
            raise SmokeFailure(f"timed out waiting for {what}: {want}")
        try:
            raw = await asyncio.wait_for(ws.recv(), remaining)
        except asyncio.TimeoutError:
            raise SmokeFailure(f"timed out waiting for {what}: {want}") from None
        if not isinstance(raw, str):
            raise SmokeFailure(f"expected a text frame, got binary {raw!r}")
        frame = json.loads(raw)
        if frame == want:
            check(True, f"{what}: {raw}")
            return
        print(f"   (skipping frame {raw})")


async def expect_rejected(base, what, **kwargs):
    try:
        async with ws_connect(base, **kwargs) as ws:
            # Accepted handshake: it must at least be closed right away.
            try:
                await asyncio.wait_for(ws.recv(), TIMEOUT)
            except asyncio.TimeoutError:
                raise SmokeFailure(f"{what}: WebSocket was accepted and kept open") from None
            except Exception:
                pass
            check(True, f"{what}: closed by server")
    except InvalidStatus as e:
        check(True, f"{what}: handshake rejected with HTTP {e.response.status_code}")


async def main(base):
    base = base.rstrip("/")
    parts = urlsplit(base)
    suffix = secrets.token_hex(4)
    name_a, name_b, name_c = (f"smoke_{x}_{suffix}" for x in "abc")
    # The same server under its other loopback name (any port is trusted).
    alt_host = "localhost" if parts.hostname == "127.0.0.1" else "127.0.0.1"
    alt_origin = f"{parts.scheme}://{alt_host}:{parts.port or 80}"

    common = dict(base_url=base, timeout=TIMEOUT, follow_redirects=False, trust_env=False)
    with httpx.Client(**common) as anon, httpx.Client(**common) as ca, httpx.Client(
        **common
    ) as cb:
        r = anon.get("/")
        check(
            r.status_code in (302, 303) and r.headers.get("location") == "/log_in/?next=/",
            f"anonymous GET / -> redirect to /log_in/?next=/ (got {r.status_code} "
            f"{r.headers.get('location')!r})",
        )
        sign_up(anon, name_a)
        sign_up(anon, name_b)
        log_in(ca, name_a)  # no Origin header
        log_in(cb, name_b, origin=alt_origin)  # Origin on the other loopback name

        r = ca.get("/")
        check(r.status_code == 200, "A: GET / -> 200")
        for name in (name_a, name_b):
            check(
                f'data-username="{name}" data-status="online"' in r.text,
                f'GET / lists {name} with data-status="online"',
            )

        await expect_rejected(base, "anonymous WebSocket")
        await expect_rejected(base, "WebSocket with foreign Origin", client=ca,
                              origin="http://evil.example")

        async with ws_connect(base, ca) as ws_a:  # no Origin header
            # A receives its own "online" frame: proves A joined the group.
            await expect(
                ws_a,
                {"type": "presence", "username": name_a, "is_logged_in": True},
                "A got its own online frame",
            )
            async with ws_connect(base, cb, origin=f"{parts.scheme}://{parts.netloc}") as ws_b:
                await expect(
                    ws_a,
                    {"type": "presence", "username": name_b, "is_logged_in": True},
                    "A got B online",
                )
                await expect(
                    ws_b,
                    {"type": "presence", "username": name_b, "is_logged_in": True},
                    "B got its own online frame",
                )
            await expect(
                ws_a,
                {"type": "presence", "username": name_b, "is_logged_in": False},
                "A got B offline after B closed",
            )

            sign_up(anon, name_c)
            await expect(ws_a, {"type": "user_added", "username": name_c}, "A got user_added C")

            await ws_a.send("not json")
            await ws_a.send(json.dumps({"type": "something-else"}))
            await ws_a.send(json.dumps({"type": "ping"}))
            await expect(ws_a, {"type": "pong"}, "A got pong for ping")

        # Log out B: GET the confirm form for a token, POST it.
        token = csrf_token(cb, "/log_out/")
        r = cb.post("/log_out/", data={"csrfmiddlewaretoken": token})
        check(
            r.status_code in (302, 303) and redirect_path(r) == "/log_in/",
            f"POST /log_out/ -> redirect to /log_in/ (got {r.status_code})",
        )
        r = cb.get("/")
        check(r.status_code in (302, 303), "B: GET / after log out -> redirect")
        r = ca.get("/")
        check(
            f'data-username="{name_b}" data-status="offline"' in r.text,
            f'GET / lists {name_b} with data-status="offline" after log out',
        )
        check(
            f'data-username="{name_c}" data-status="offline"' in r.text,
            f'GET / lists {name_c} with data-status="offline"',
        )

        r = ca.post("/log_out/", data={"csrfmiddlewaretoken": "x" * 64})
        check(r.status_code == 403, f"POST /log_out/ with a bad CSRF token -> 403 (got {r.status_code})")


if __name__ == "__main__":
    base_url = sys.argv[1] if len(sys.argv) > 1 else "http://127.0.0.1:18765"
    try:
        asyncio.run(main(base_url))
    except SmokeFailure as e:
        print(f"FAIL: {e}", file=sys.stderr)
        sys.exit(1)
    except Exception as e:  # connection refused, protocol errors, ...
        print(f"FAIL: {type(e).__name__}: {e}", file=sys.stderr)
        sys.exit(1)
    print("SMOKE OK")
