#!/usr/bin/env python3
# Licensed under the Apache License, Version 2.0 (see LICENSE).
"""The farm tests' HTTP client (t/farm/run.sh); its Digest answers come
from the suite's Python Digest client, t/lib/acdigest.py (RFC 7616).

  dclient.py challenge URL STATE
      GET URL without credentials, expect 401, keep the first SHA-256
      Digest challenge (realm, nonce, opaque) in the JSON file STATE.
  dclient.py digest URL STATE USER PASSWORD NC [SRC_IP]
      GET URL with a Digest response computed for the nonce of STATE and
      nonce count NC (an integer); the cnonce is fixed per STATE, so the
      same NC gives a byte-identical request (a replay).
  dclient.py basic URL USER PASSWORD [SRC_IP]
      GET URL with Basic credentials.
  dclient.py race URL1 URL2 STATE USER PASSWORD FIRST_NC N
      N times: the same Digest request (nc FIRST_NC, FIRST_NC+1, ...)
      sent to URL1 and URL2 at the same instant; prints how many times
      both accepted it (a replay that got through).
  dclient.py seq URL1 URL2 STATE USER PASSWORD FIRST_NC N
      Digest requests with nc FIRST_NC ... FIRST_NC+N-1, one after the
      other, to URL1 and URL2 in turn; prints "<200s> <401s with
      stale=true> <other>".
  dclient.py stale URL STATE USER PASSWORD NC
      One Digest request; prints "<status> stale" or "<status> -" (the
      challenge's stale=true).
  dclient.py burst URL1 URL2 USER PASSWORD N SRC_IP
      N Basic requests at once, to URL1 and URL2 in turn, from SRC_IP;
      prints "<429s> <others>".
  dclient.py slowest URL1 URL2 STATE USER PASSWORD FIRST_NC N
      N requests at once, Basic and Digest, to URL1 and URL2; prints
      "<slowest seconds> <statuses sorted, comma-separated>".
  dclient.py load URL STATE USER PASSWORD FIRST_NC N
      N Digest requests over one connection; prints "<200s> <seconds>".

Each request prints one line: "<status> <Retry-After or -> <rspauth ok|->"
where rspauth is checked against Authentication-Info when present.
SRC_IP binds the client socket (127.0.0.2 is another client on loopback).
"""
import base64
import http.client
import json
import os
import sys
import threading
import time
import urllib.parse

# The suite's Python Digest client, t/lib/acdigest.py, found from here
# whatever the working directory.
sys.dont_write_bytecode = True
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)),
                                '..', 'lib'))
import acdigest  # noqa: E402


def request(url, headers=None, src=None):
    u = urllib.parse.urlsplit(url)
    conn = http.client.HTTPConnection(
        u.hostname, u.port, timeout=15,
        source_address=(src, 0) if src else None)
    path = u.path + ('?' + u.query if u.query else '')
    conn.request('GET', path, headers=headers or {})
    resp = conn.getresponse()
    resp.read()
    conn.close()
    return resp, path


def challenge(url, state):
    resp, _ = request(url)
    if resp.status != 401:
        print('%d - -' % resp.status)
        return 1
    for p in acdigest.challenges(resp.msg.get_all('WWW-Authenticate') or []):
        if p.get('algorithm', 'MD5').upper() != 'SHA-256':
            continue
        p['cnonce'] = base64.b16encode(os.urandom(8)).decode().lower()
        with open(state, 'w') as f:
            json.dump(p, f)
        print('401 - -')
        return 0
    print('401 no-sha256-challenge -')
    return 1


def answer(c, uri, user, password):
    """The answers to the challenge kept in state c (its cnonce too)."""
    return acdigest.Answer(c, user, password, uri, c['cnonce'])


def digest(url, state, user, password, nc, src=None):
    with open(state) as f:
        c = json.load(f)
    u = urllib.parse.urlsplit(url)
    uri = u.path + ('?' + u.query if u.query else '')
    a = answer(c, uri, user, password)
    resp, _ = request(url, {'Authorization': a.value(int(nc))}, src)
    info = resp.getheader('Authentication-Info')
    ok = '-'
    if info:
        p = acdigest.parse_params(info)
        ok = 'ok' if p.get('rspauth') == a.rspauth(int(nc)) else 'bad'
    print('%d %s %s' % (resp.status, resp.getheader('Retry-After') or '-',
                        ok))
    return 0


def race(url1, url2, state, user, password, first, n):
    with open(state) as f:
        c = json.load(f)
    twice = 0
    for nc in range(int(first), int(first) + int(n)):
        out = [0, 0]
        bar = threading.Barrier(2)

        def send(i, url, auth):
            u = urllib.parse.urlsplit(url)
            conn = http.client.HTTPConnection(u.hostname, u.port,
                                              timeout=15)
            conn.connect()
            bar.wait()
            conn.request('GET', u.path, headers={'Authorization': auth})
            out[i] = conn.getresponse().status
            conn.close()
        ts = []
        for i, url in enumerate((url1, url2)):
            auth = answer(c, urllib.parse.urlsplit(url).path, user,
                          password).value(nc)
            ts.append(threading.Thread(target=send, args=(i, url, auth)))
        for t in ts:
            t.start()
        for t in ts:
            t.join()
        twice += out == [200, 200]
    print(twice)
    return 0


def stale_of(resp):
    return any('stale=true' in v.lower()
               for v in resp.msg.get_all('WWW-Authenticate') or [])


def seq(url1, url2, state, user, password, first, n):
    with open(state) as f:
        c = json.load(f)
    got = [0, 0, 0]
    for i, nc in enumerate(range(int(first), int(first) + int(n))):
        url = (url1, url2)[i % 2]
        a = answer(c, urllib.parse.urlsplit(url).path, user, password)
        resp, _ = request(url, {'Authorization': a.value(nc)})
        if resp.status == 200:
            got[0] += 1
        elif resp.status == 401 and stale_of(resp):
            got[1] += 1
        else:
            got[2] += 1
    print('%d %d %d' % tuple(got))
    return 0


def stale(url, state, user, password, nc):
    with open(state) as f:
        c = json.load(f)
    a = answer(c, urllib.parse.urlsplit(url).path, user, password)
    resp, _ = request(url, {'Authorization': a.value(int(nc))})
    print('%d %s' % (resp.status, 'stale' if stale_of(resp) else '-'))
    return 0


def parallel(jobs):
    """Run the callables of jobs at once; their results, in order."""
    out = [None] * len(jobs)
    bar = threading.Barrier(len(jobs))

    def run(i):
        try:
            bar.wait()
            out[i] = jobs[i]()
        except (OSError, http.client.HTTPException):
            out[i] = (0, 99.0)
    ts = [threading.Thread(target=run, args=(i,)) for i in range(len(jobs))]
    for t in ts:
        t.start()
    for t in ts:
        t.join()
    return out


def timed(url, auth, src=None):
    def go():
        t0 = time.time()
        resp, _ = request(url, {'Authorization': auth}, src)
        return resp.status, time.time() - t0
    return go


def basic_auth(user, password):
    return 'Basic ' + base64.b64encode(('%s:%s' % (user, password))
                                       .encode()).decode()


def burst(url1, url2, user, password, n, src):
    auth = basic_auth(user, password)
    out = parallel([timed((url1, url2)[i % 2], auth, src)
                    for i in range(int(n))])
    limited = sum(1 for s, _ in out if s == 429)
    print('%d %d' % (limited, len(out) - limited))
    return 0


def slowest(url1, url2, state, user, password, first, n):
    with open(state) as f:
        c = json.load(f)
    jobs = []
    for i in range(int(n)):
        url = (url1, url2)[i % 2]
        if i % 4 < 2:
            jobs.append(timed(url.replace('/digest/', '/basic/'),
                              basic_auth(user, password)))
        else:
            a = answer(c, urllib.parse.urlsplit(url).path, user, password)
            jobs.append(timed(url, a.value(int(first) + i)))
    out = parallel(jobs)
    print('%.2f %s' % (max(t for _, t in out),
                       ','.join(sorted(set(str(s) for s, _ in out)))))
    return 0


def load(url, state, user, password, first, n):
    with open(state) as f:
        c = json.load(f)
    u = urllib.parse.urlsplit(url)
    a = answer(c, u.path, user, password)
    conn = http.client.HTTPConnection(u.hostname, u.port, timeout=15)
    ok = 0
    t0 = time.time()
    for nc in range(int(first), int(first) + int(n)):
        conn.request('GET', u.path, headers={'Authorization': a.value(nc)})
        resp = conn.getresponse()
        resp.read()
        ok += resp.status == 200
    conn.close()
    print('%d %.3f' % (ok, time.time() - t0))
    return 0


def basic(url, user, password, src=None):
    cred = base64.b64encode(('%s:%s' % (user, password)).encode()).decode()
    resp, _ = request(url, {'Authorization': 'Basic ' + cred}, src)
    print('%d %s -' % (resp.status, resp.getheader('Retry-After') or '-'))
    return 0


def main(argv):
    try:
        if argv[1] == 'challenge':
            return challenge(argv[2], argv[3])
        if argv[1] == 'digest':
            return digest(*argv[2:8])
        if argv[1] == 'race':
            return race(*argv[2:9])
        if argv[1] == 'basic':
            return basic(*argv[2:6])
        if argv[1] == 'seq':
            return seq(*argv[2:9])
        if argv[1] == 'stale':
            return stale(*argv[2:7])
        if argv[1] == 'burst':
            return burst(*argv[2:8])
        if argv[1] == 'slowest':
            return slowest(*argv[2:9])
        if argv[1] == 'load':
            return load(*argv[2:8])
    except (OSError, http.client.HTTPException) as e:
        print('000 %s -' % type(e).__name__)
        return 0
    sys.stderr.write(__doc__)
    return 2


if __name__ == '__main__':
    sys.exit(main(sys.argv))
