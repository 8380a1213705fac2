# Licensed under the Apache License, Version 2.0 (see LICENSE).
"""Run Python urllib (stdlib only) scenarios for t/clients/urllib.t.

Reads a JSON list of scenarios on stdin, prints a JSON object keyed by
scenario name.  A scenario:
  name      key of the result
  url       what urlopen opens
  handlers  any of "digest", "basic", "pdigest", "pbasic"
            (HTTPDigestAuthHandler, HTTPBasicAuthHandler,
            ProxyDigestAuthHandler, ProxyBasicAuthHandler)
  user, pass, realm   for the password manager (realm null: any realm)
  cred_uri  the URI the password is filed under (default: the proxy if
            any, else url)
  proxy     "http://host:port" (userinfo allowed) or absent: no proxy
  headers   extra request headers (a Bearer credential set by hand)
  data      a request body (POST)
A result: status (the code urlopen returned or the HTTPError's),
error ("<type>: <message>" of any other exception, else null), body,
and sent: one entry per request urllib sent, {auth, pauth, status}
(its Authorization, Proxy-Authorization and the status it got).
"""
import json
import sys
import urllib.error
import urllib.request


class Recorder(urllib.request.BaseHandler):
    """Sees every response, 401/407 included: it runs before
    HTTPErrorProcessor (order 1000).  The request is read then, so the
    Proxy-authorization that ProxyHandler adds at open time is seen."""
    handler_order = 999

    def __init__(self):
        self.sent = []

    def http_response(self, req, resp):
        # As AbstractHTTPHandler.do_open sends them: a header added by
        # an auth handler (unredirected) wins over one set by hand.
        h = dict(req.unredirected_hdrs)
        h.update((k, v) for k, v in req.headers.items() if k not in h)
        self.sent.append({"auth": h.get("Authorization"),
                          "pauth": h.get("Proxy-authorization"),
                          "status": resp.status})
        return resp


HANDLERS = {
    "digest": urllib.request.HTTPDigestAuthHandler,
    "basic": urllib.request.HTTPBasicAuthHandler,
    "pdigest": urllib.request.ProxyDigestAuthHandler,
    "pbasic": urllib.request.ProxyBasicAuthHandler,
}


def run(sc):
    mgr = urllib.request.HTTPPasswordMgrWithDefaultRealm()
    # Where the password manager files the password: the proxy (what
    # ProxyBasicAuthHandler looks up) unless cred_uri says otherwise
    # (ProxyDigestAuthHandler looks up the target URL).
    where = sc.get("cred_uri") or sc.get("proxy") or sc["url"]
    if sc.get("user") is not None:
        mgr.add_password(sc.get("realm"), where, sc["user"], sc["pass"])
    rec = Recorder()
    proxies = {"http": sc["proxy"]} if sc.get("proxy") else {}
    parts = [urllib.request.ProxyHandler(proxies), rec]
    parts += [HANDLERS[h](mgr) for h in sc.get("handlers", [])]
    opener = urllib.request.build_opener(*parts)
    data = sc.get("data")
    req = urllib.request.Request(
        sc["url"], data=data.encode() if data is not None else None,
        headers=sc.get("headers", {}))
    out = {"status": None, "error": None, "body": None, "sent": rec.sent}
    try:
        with opener.open(req, timeout=10) as resp:
            out["status"] = resp.status
            out["body"] = resp.read().decode("utf-8", "replace")
    except urllib.error.HTTPError as e:
        out["status"] = e.code
        out["error"] = "HTTPError: %s" % e.reason
    except Exception as e:  # what urllib raises is the finding
        out["error"] = "%s: %s" % (type(e).__name__, e)
    return out


def main():
    results = {}
    for sc in json.load(sys.stdin):
        results[sc["name"]] = run(sc)
    json.dump(results, sys.stdout, indent=1)


if __name__ == "__main__":
    main()
