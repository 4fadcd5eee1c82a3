#!/usr/bin/env python3
"""Bursts an attacker can send without an account (and one a signed-in customer can),
against a running Codex, with the server's memory read from /proc: peak growth over the
idle baseline for each burst, the answer codes, and whether /health kept answering
meanwhile.

Usage: bench/abuse.py BASE_URL SERVER_PID [DATABASE_URL]   (bench/abuse.sh starts a server
and calls this; with DATABASE_URL the checkout burst gets its shop and customer there)
Every loop is bounded in count and time, and every request goes to BASE_URL (loopback).
"""
import collections
import http.client
import os
import random
import socket
import subprocess
import sys
import threading
import time
import urllib.parse
import uuid
from concurrent.futures import ThreadPoolExecutor

BASE = sys.argv[1]
PID = int(sys.argv[2])
URL = urllib.parse.urlsplit(BASE)
HOST, PORT = URL.hostname, URL.port


def rss_kib(field):
    with open(f"/proc/{PID}/status") as status:
        for line in status:
            if line.startswith(field + ":"):
                return int(line.split()[1])
    raise RuntimeError(f"{field} not in /proc/{PID}/status")


def reset_peak():
    # Writing 5 to clear_refs resets VmHWM (the peak) to the current resident size.
    with open(f"/proc/{PID}/clear_refs", "w") as refs:
        refs.write("5")


def random_ip():
    return "10.%d.%d.%d" % tuple(random.randint(1, 250) for _ in range(3))


def request(method, path, body=None, headers=None, timeout=30):
    conn = http.client.HTTPConnection(HOST, PORT, timeout=timeout)
    try:
        conn.request(method, path, body=body, headers=headers or {})
        response = conn.getresponse()
        response.read()
        return response.status
    except (OSError, http.client.HTTPException) as error:
        return type(error).__name__
    finally:
        conn.close()


class HealthWatch:
    """Polls /health every 100 ms while a burst runs."""

    def __init__(self):
        self.answers = collections.Counter()
        self.worst = 0.0
        self.running = True
        self.thread = threading.Thread(target=self.run, daemon=True)

    def run(self):
        while self.running:
            started = time.monotonic()
            self.answers[request("GET", "/health", timeout=5)] += 1
            self.worst = max(self.worst, time.monotonic() - started)
            time.sleep(0.1)

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *_):
        self.running = False
        self.thread.join()


def burst(name, count, job, workers, expected=lambda code: isinstance(code, int) and 400 <= code < 500):
    before = rss_kib("VmRSS")
    reset_peak()
    codes = collections.Counter()
    started = time.monotonic()
    with HealthWatch() as health, ThreadPoolExecutor(max_workers=workers) as pool:
        for status in pool.map(job, range(count)):
            codes[status] += 1
    elapsed = time.monotonic() - started
    peak = rss_kib("VmHWM")
    growth_mib = (peak - before) / 1024
    all_4xx = all(expected(code) for code in codes)
    healthy = set(health.answers) == {200}
    print(
        f"{name:<32} {count:>5} {elapsed:>7.1f}s {before / 1024:>9.1f} {peak / 1024:>9.1f} "
        f"{growth_mib:>8.1f}  {dict(sorted(codes.items(), key=str))}  "
        f"health {dict(health.answers)} (slowest {health.worst * 1000:.0f} ms)"
        f"{'' if all_4xx else '  [answers not as expected]'}{'' if healthy else '  [health failed]'}"
    )
    return growth_mib < 100 and all_4xx and healthy


def bogus_reset(_):
    token = f"{uuid.uuid4().hex}.{'A' * 43}"
    body = urllib.parse.urlencode(
        {"token": token, "password": "Brand9newpass", "confirm_password": "Brand9newpass"}
    )
    return request(
        "POST",
        "/api/reset_password",
        body=body,
        headers={
            "Content-Type": "application/x-www-form-urlencoded",
            # Many addresses, so the per-IP limit does not hide the token check.
            "X-Forwarded-For": random_ip(),
        },
    )


def odd_method(n):
    method = "X%06d" % n
    return request(method, f"/odd/{n}")


def unauthenticated_part(_):
    """Announces an 8 MiB part, sends 64 KiB of it, and waits for the answer."""
    sock = socket.create_connection((HOST, PORT), timeout=30)
    try:
        path = f"/media/uploads/{uuid.uuid4()}/parts/0"
        head = (
            f"PUT {path} HTTP/1.1\r\nHost: {HOST}:{PORT}\r\n"
            f"Content-Length: {8 * 1024 * 1024}\r\nConnection: close\r\n\r\n"
        )
        sock.sendall(head.encode() + b"\0" * 65536)
        answer = sock.recv(64)
        return int(answer.split()[1]) if answer.startswith(b"HTTP/") else "no answer"
    except OSError as error:
        return type(error).__name__
    finally:
        sock.close()


def trickled_upload_form(_):
    """A small form body announced for an upload path, sent a few bytes at a time with no
    session: it must be refused at once, not read (before, the audit read it with no
    deadline, and upload paths have no request timeout)."""
    sock = socket.create_connection((HOST, PORT), timeout=30)
    try:
        path = f"/media/uploads/{uuid.uuid4()}/parts/0"
        head = (
            f"PUT {path} HTTP/1.1\r\nHost: {HOST}:{PORT}\r\n"
            "Content-Type: application/x-www-form-urlencoded\r\n"
            "Content-Length: 64\r\nConnection: close\r\n\r\n"
        )
        sock.sendall(head.encode() + b"id=")
        answer = sock.recv(64)
        return int(answer.split()[1]) if answer.startswith(b"HTTP/") else "no answer"
    except socket.timeout:
        return "held 30 s"
    except OSError as error:
        return type(error).__name__
    finally:
        sock.close()


def psql(database_url, sql):
    subprocess.run(["psql", "-q", "-v", "ON_ERROR_STOP=1", database_url, "-c", sql],
                   check=True, capture_output=True)


def form_post(path, fields, cookie=None, timeout=30):
    """A form POST; its status, Location and Set-Cookie."""
    conn = http.client.HTTPConnection(HOST, PORT, timeout=timeout)
    try:
        headers = {"Content-Type": "application/x-www-form-urlencoded"}
        if cookie:
            headers["Cookie"] = cookie
        conn.request("POST", path, body=urllib.parse.urlencode(fields), headers=headers)
        response = conn.getresponse()
        response.read()
        return response.status, response.getheader("Location"), response.getheader("Set-Cookie")
    except (OSError, http.client.HTTPException) as error:
        return type(error).__name__, None, None
    finally:
        conn.close()


def checkout_shop(database_url):
    """A published $5 item and a verified, signed-in customer; the item's id and the cookie."""
    password = "Bench9checkout"
    email = f"burst-{uuid.uuid4().hex[:8]}@example.com"
    status, _, _ = form_post("/api/setup_owner", {
        "name": "Bench Owner", "email": "bench-owner@example.com",
        "password": password, "confirm_password": password})
    status, _, _ = form_post("/api/register", {
        "name": "Burst", "email": email, "password": password, "confirm_password": password})
    psql(database_url, f"UPDATE users SET email_verified_at = now() WHERE email = '{email}'")
    content = str(uuid.uuid4())
    media = str(uuid.uuid4())
    psql(database_url,
         "INSERT INTO media (id, owner_id, kind, original_filename, content_type, size_bytes, status, duration_seconds) "
         f"SELECT '{media}', id, 'video', 'clip.mp4', 'video/mp4', 1000, 'ready', 100 FROM users WHERE role = 'owner'; "
         "INSERT INTO content (id, owner_id, slug, title, price_cents, media_id, status, published_at) "
         f"SELECT '{content}', id, 'burst-{content[:8]}', 'Burst film', 500, '{media}', 'published', now() "
         "FROM users WHERE role = 'owner'")
    status, _, cookie = form_post("/api/login", {"email": email, "password": password})
    if status != 200 or not cookie:
        raise RuntimeError(f"could not sign the burst's customer in: {status}")
    return content, cookie.split(";")[0]


def slow_headers(_):
    """Sends half a request and never the rest: the server must hang up by itself."""
    sock = socket.create_connection((HOST, PORT), timeout=40)
    try:
        sock.sendall(f"GET /health HTTP/1.1\r\nHost: {HOST}:{PORT}\r\nX-Slow: ".encode())
        answer = sock.recv(64)
        if not answer:
            return 408  # closed without a word: the header timeout
        return int(answer.split()[1]) if answer.startswith(b"HTTP/") else "garbage"
    except socket.timeout:
        return "kept open 40 s"
    except OSError as error:
        return type(error).__name__
    finally:
        sock.close()


def main():
    time.sleep(1)
    idle = rss_kib("VmRSS") / 1024
    print(f"idle baseline: {idle:.1f} MiB resident (server pid {PID}, {BASE})")
    print(
        f"{'burst':<32} {'count':>5} {'time':>8} {'before':>9} {'peak':>9} {'growth':>8}  "
        "answers  /health during the burst"
    )
    print(f"{'':<32} {'':>5} {'':>8} {'MiB':>9} {'MiB':>9} {'MiB':>8}")
    results = [
        burst("bogus password resets", 300, bogus_reset, 300),
        burst("made-up HTTP methods", 200, odd_method, 50),
        burst("unauthenticated upload parts", 100, unauthenticated_part, 100),
        burst("slow headers (never finished)", 200, slow_headers, 200),
        burst("trickled forms to upload paths", 600, trickled_upload_form, 600),
    ]
    if len(sys.argv) > 3:
        content, cookie = checkout_shop(sys.argv[3])
        buy = lambda _: form_post("/checkout/start", {"content_id": content}, cookie)[0]
        # One customer's 30 "Buy now" at once: every answer a redirect (one checkout made,
        # the others taken up), the site answering throughout.
        results.append(burst("one customer's checkout burst", 30, buy, 30,
                             expected=lambda code: code == 303))
    metrics = http.client.HTTPConnection(HOST, PORT, timeout=10)
    metrics.request("GET", "/metrics")
    lines = metrics.getresponse().read().decode().count("\n")
    print(f"/metrics after the bursts: {lines} lines")
    goal = "met" if all(results) else "NOT met"
    print(f"goal (under 100 MiB growth per burst, answers as expected, /health throughout): {goal}")
    return 0 if all(results) else 1


if __name__ == "__main__":
    sys.exit(main())
