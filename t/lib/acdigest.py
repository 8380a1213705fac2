# Licensed under the Apache License, Version 2.0 (see LICENSE).
"""The Python Digest client (RFC 7616) of the test suite, written from
the RFC, independent of the module's code.  The farm test's client
(t/farm/dclient.py) and the bench's value generator (t/bench/digest.py)
import it; the Perl tests have t/lib/ACDigest.pm, the C unit tests
t/unit/digest_client.h.

Import it from a script elsewhere in t/ by a path relative to that
script, whatever the working directory:

    sys.dont_write_bytecode = True      # no __pycache__ in t/lib
    sys.path.insert(0, os.path.join(os.path.dirname(
        os.path.abspath(__file__)), "..", "lib"))
    import acdigest

  parse_params(text)   {name: value} of an auth-param list (names
                       lower-cased, quoted-strings unquoted)
  challenges(values)   the params of each Digest challenge among
                       WWW-Authenticate / Proxy-Authenticate values
  h(alg, text)         hex hash of text (UTF-8) for MD5 or SHA-256
  Answer(chal, user, password, uri, cnonce, ...)
                       the answers to one challenge: .value(nc) is the
                       Authorization value for nonce count nc (an int),
                       .rspauth(nc) the rspauth that Authentication-Info
                       must carry (RFC 7616 §3.5), .ha1
"""
import hashlib
import re

HASHES = {"MD5": "md5", "SHA-256": "sha256"}

# auth-param = token BWS "=" BWS ( token / quoted-string ), RFC 9110 §11.2
PARAM = re.compile(r'\s*([A-Za-z0-9_*-]+)\s*=\s*("(?:[^"\\]|\\.)*"|[^,\s]*)'
                   r'\s*,?')

# The order of the fields of an Authorization value (Answer's default).
ORDER = ("username", "realm", "nonce", "uri", "algorithm", "qop", "nc",
         "cnonce", "response", "opaque")
TOKENS = ("algorithm", "qop", "nc")         # sent unquoted


def parse_params(text):
    out = {}
    for m in PARAM.finditer(text):
        v = m.group(2)
        if v.startswith('"'):
            v = re.sub(r'\\(.)', r'\1', v[1:-1])
        out[m.group(1).lower()] = v
    return out


def challenges(values):
    return [parse_params(v[7:]) for v in values
            if v.lower().startswith("digest ")]


def h(alg, text):
    return hashlib.new(HASHES[alg], text.encode()).hexdigest()


def _quote(v):
    return '"%s"' % re.sub(r'(["\\])', r'\\\1', v)


class Answer:
    """Answers to the challenge chal (a dict of its params) for one user
    and request (qop auth; the algorithm is the challenge's, MD5 when it
    names none).  The field order of the values is order; opaque is sent
    when the challenge has one.  Everything but nc and the response is
    made once, so value() is cheap: the bench makes its values by the
    hundred thousand.  An algorithm other than MD5 or SHA-256 raises
    ValueError."""

    def __init__(self, chal, user, password, uri, cnonce, method="GET",
                 order=ORDER):
        alg = chal.get("algorithm", "MD5")
        if alg not in HASHES:
            raise ValueError("algorithm %s not supported here" % alg)
        self.alg, self.uri, self.nonce = alg, uri, chal["nonce"]
        self.cnonce = cnonce
        self.ha1 = h(alg, "%s:%s:%s" % (user, chal["realm"], password))
        self._pre = "%s:%s:" % (self.ha1, self.nonce)
        self._post = ":%s:auth:%s" % (cnonce, h(alg, "%s:%s" % (method,
                                                                 uri)))
        fields = {"username": user, "realm": chal["realm"],
                  "nonce": self.nonce, "uri": uri, "algorithm": alg,
                  "qop": "auth", "cnonce": cnonce,
                  "opaque": chal.get("opaque")}
        parts = []
        for name in order:
            if name in ("nc", "response"):
                v = "%%(%s)s" % name
                parts.append(name + "=" + (v if name in TOKENS
                                           else '"%s"' % v))
            elif fields[name] is not None:
                v = fields[name].replace("%", "%%")
                parts.append(name + "=" + (v if name in TOKENS
                                           else _quote(v)))
        self._template = "Digest " + ", ".join(parts)

    def response(self, nc):
        return h(self.alg, self._pre + "%08x" % nc + self._post)

    def value(self, nc):
        return self._template % {"nc": "%08x" % nc,
                                 "response": self.response(nc)}

    def rspauth(self, nc):
        return h(self.alg, ":".join([self.ha1, self.nonce, "%08x" % nc,
                                     self.cnonce, "auth",
                                     h(self.alg, ":" + self.uri)]))
