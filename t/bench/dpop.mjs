// Licensed under the Apache License, Version 2.0 (see LICENSE).
//
// DPoP requests for the bench (t/bench/run.sh), with node's own crypto
// (no npm package): an RS256 JWT for alice bound (cnf.jkt, RFC 7638) to
// a new P-256 key, and N proofs of that key (RFC 9449 §4.2: typ
// dpop+jwt, ES256, jwk, jti, htm GET, htu, iat now, ath), one request a
// line: "DPoP <token>\t<proof>" (t/bench/rotate.lua sends the part after
// the tab as the DPoP header field).
//
//   node t/bench/dpop.mjs RS256-PRIVATE.pem URL N OUT
import * as crypto from 'node:crypto';
import * as fs from 'node:fs';

const [pem, url, count, out] = process.argv.slice(2);
const b64u = (b) => Buffer.from(b).toString('base64url');
const json = (o) => b64u(JSON.stringify(o));

const { privateKey, publicKey } = crypto.generateKeyPairSync('ec',
  { namedCurve: 'P-256' });
const { kty, crv, x, y } = publicKey.export({ format: 'jwk' });
const jwk = { kty, crv, x, y };
// RFC 7638 §3.2: the required members in lexicographic order
const jkt = b64u(crypto.createHash('sha256')
  .update(JSON.stringify({ crv, kty, x, y })).digest());

const now = Math.floor(Date.now() / 1000);
const head = json({ alg: 'RS256', typ: 'JWT' }) + '.' + json({
  sub: 'alice', iat: now, exp: now + 3600, cnf: { jkt },
});
const token = head + '.' + b64u(crypto.sign('sha256', Buffer.from(head),
  fs.readFileSync(pem)));
const ath = b64u(crypto.createHash('sha256').update(token).digest());
const ph = json({ typ: 'dpop+jwt', alg: 'ES256', jwk });

const fd = fs.openSync(out, 'w');
let buf = [];
for (let i = 0; i < Number(count); i += 1) {
  const input = ph + '.' + json({
    jti: crypto.randomBytes(12).toString('base64url'), htm: 'GET',
    htu: url, iat: now, ath,
  });
  const sig = crypto.sign('sha256', Buffer.from(input),
    { key: privateKey, dsaEncoding: 'ieee-p1363' });
  buf.push(`DPoP ${token}\t${input}.${b64u(sig)}`);
  if (buf.length === 4096) {
    fs.writeSync(fd, buf.join('\n') + '\n');
    buf = [];
  }
}
if (buf.length) fs.writeSync(fd, buf.join('\n') + '\n');
fs.closeSync(fd);
