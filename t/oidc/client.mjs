// Licensed under the Apache License, Version 2.0 (see LICENSE).
//
// Real OAuth 2.0 clients for the tests: oauth4webapi (panva) for
// discovery, the client_credentials grant (optionally DPoP- or
// certificate-bound), introspection, revocation and DPoP proofs; jose
// only for what a correct client never makes (hand-made JWTs: `mint`).
// --timeout S (default 10) bounds each request to the server.
// Every command prints one JSON object on stdout; an error prints
// {"error": ..., "error_description": ..., "status": ...} and exits 1.
//
//   node t/oidc/client.mjs discover   --issuer URL [--ca PEM]
//   node t/oidc/client.mjs token      --issuer URL --client-id ID
//        [--client-secret S] [--auth basic|post|tls|none]
//        [--resource URI] [--scope "a b"] [--dpop-key JWK]
//        [--cert PEM --key PEM] [--ca PEM]
//        [--claims JSON] [--header JSON]   (the server's test_claims /
//                                           test_header parameters)
//   node t/oidc/client.mjs introspect --issuer URL --client-id ID
//        --client-secret S --token T [--hint access_token]
//   node t/oidc/client.mjs revoke     --issuer URL --client-id ID
//        --client-secret S --token T [--hint access_token]
//   node t/oidc/client.mjs dpop-proof --key JWK --htm METHOD --htu URL
//        [--ath-from-token T] [--nonce N] [--iat-offset S] [--jti J]
//        [--claims JSON] [--header JSON]
//   node t/oidc/client.mjs keygen     --alg ES256|ES384|RS256|PS256|EdDSA
//        [--kid K] [--out FILE] [--jwks-out FILE] [--public-out FILE]
//   node t/oidc/client.mjs mint       (--keys JWKS [--kid K] | --key JWK |
//        --secret S | --alg none) [--alg A] [--at --issuer I --aud A
//        --sub S --scope S --ttl N --client-id C] [--claims JSON]
//        [--header JSON]
//   node t/oidc/client.mjs verify     --issuer URL --token T --aud URI
//        [--proof P --htm METHOD --htu URL] [--require-dpop]
//   node t/oidc/client.mjs thumbprint (--jwk FILE | --cert PEM)
//   node t/oidc/client.mjs decode     --token T
//   node t/oidc/client.mjs serve      (commands as JSON lines on stdin)
//
// See t/oidc/README.md for what each prints.

import * as crypto from 'node:crypto';
import * as fs from 'node:fs';
import * as https from 'node:https';

import * as oauth from 'oauth4webapi';

// jose only where a command needs it (keygen, mint): node starts faster
// without it, and the tests run this file many times.
const loadJose = () => import('jose');

class Fail extends Error {
  constructor(error, description, extra = {}) {
    super(description || error);
    this.body = { error, error_description: description, ...extra };
  }
}

const BOOLEAN = new Set(['at', 'oidc', 'require_dpop']);

function parseArgs(argv) {
  const [command, ...rest] = argv;
  const o = { _: [] };
  for (let i = 0; i < rest.length; i += 1) {
    const arg = rest[i];
    if (!arg.startsWith('--')) {
      o._.push(arg);
      continue;
    }
    const [name, inline] = arg.slice(2).split(/=(.*)/s, 2);
    const key = name.replace(/-/g, '_');
    if (BOOLEAN.has(key)) {
      o[key] = true;
    } else if (inline !== undefined) {
      o[key] = inline;
    } else if (i + 1 < rest.length) {
      o[key] = rest[++i];
    } else {
      throw new Fail('usage', `--${name} needs a value`);
    }
  }
  return { command, o };
}

function need(o, ...names) {
  for (const n of names) {
    if (o[n] === undefined) throw new Fail('usage', `--${n.replace(/_/g, '-')} is required`);
  }
}

function readJSON(file) {
  try {
    return JSON.parse(fs.readFileSync(file, 'utf8'));
  } catch (e) {
    throw new Fail('usage', `cannot read ${file}: ${e.message}`);
  }
}

function jsonOpt(o, name) {
  if (o[name] === undefined) return undefined;
  try {
    const v = JSON.parse(o[name]);
    if (v && typeof v === 'object' && !Array.isArray(v)) return v;
  } catch {}
  throw new Fail('usage', `--${name} must be a JSON object`);
}

function b64json(part) {
  const v = JSON.parse(Buffer.from(part, 'base64url').toString('utf8'));
  if (!v || typeof v !== 'object' || Array.isArray(v)) throw new TypeError();
  return v;
}

function decodeJwt(token) {
  const parts = String(token).split('.');
  if (parts.length !== 3) return undefined;
  try {
    return { header: b64json(parts[0]), payload: b64json(parts[1]) };
  } catch {
    return undefined;
  }
}

// RFC 7638
function jwkThumbprint(jwk) {
  const members = {
    RSA: ['e', 'kty', 'n'], EC: ['crv', 'kty', 'x', 'y'], OKP: ['crv', 'kty', 'x'],
  }[jwk.kty];
  if (!members) throw new Fail('usage', `no thumbprint for a ${jwk.kty} key`);
  const json = `{${members.map((m) => `${JSON.stringify(m)}:${JSON.stringify(jwk[m])}`).join(',')}}`;
  return crypto.createHash('sha256').update(json).digest('base64url');
}

const WEBCRYPTO = {
  ES256: { name: 'ECDSA', namedCurve: 'P-256' },
  ES384: { name: 'ECDSA', namedCurve: 'P-384' },
  ES512: { name: 'ECDSA', namedCurve: 'P-521' },
  RS256: { name: 'RSASSA-PKCS1-v1_5', hash: 'SHA-256' },
  RS384: { name: 'RSASSA-PKCS1-v1_5', hash: 'SHA-384' },
  RS512: { name: 'RSASSA-PKCS1-v1_5', hash: 'SHA-512' },
  PS256: { name: 'RSA-PSS', hash: 'SHA-256' },
  PS384: { name: 'RSA-PSS', hash: 'SHA-384' },
  PS512: { name: 'RSA-PSS', hash: 'SHA-512' },
  EdDSA: { name: 'Ed25519' },
  Ed25519: { name: 'Ed25519' },
};

function importJwk(jwk, alg, usage, extractable) {
  const params = WEBCRYPTO[alg];
  if (!params) throw new Fail('usage', `unsupported algorithm ${alg}`);
  const {
    alg: a, use, kid, key_ops: ops, ext, ...material
  } = jwk;
  return crypto.webcrypto.subtle.importKey('jwk', material, params, extractable, [usage]);
}

function algOfJwk(jwk, fallback) {
  if (fallback) return fallback;
  if (jwk.alg) return jwk.alg;
  if (jwk.kty === 'RSA') return 'RS256';
  if (jwk.kty === 'OKP') return 'EdDSA';
  if (jwk.kty === 'EC') return { 'P-256': 'ES256', 'P-384': 'ES384', 'P-521': 'ES512' }[jwk.crv];
  throw new Fail('usage', `cannot tell the algorithm of a ${jwk.kty} key`);
}

function publicJwk(jwk) {
  const {
    d, p, q, dp, dq, qi, oth, k, ...pub
  } = jwk;
  return pub;
}

async function keyPairFromFile(file) {
  const jwk = readJSON(file);
  if (!jwk.d) throw new Fail('usage', `${file} is not a private JWK`);
  const alg = algOfJwk(jwk);
  return {
    jwk,
    alg,
    pair: {
      privateKey: await importJwk(jwk, alg, 'sign', false),
      publicKey: await importJwk(publicJwk(jwk), alg, 'verify', true),
    },
  };
}

// fetch over node:https, for a client certificate (RFC 8705) and a test
// CA: what oauth4webapi's customFetch option is for.
function nodeFetch({ cert, key, ca }) {
  const tlsOpts = {
    cert: cert ? fs.readFileSync(cert) : undefined,
    key: key ? fs.readFileSync(key) : undefined,
    ca: ca ? fs.readFileSync(ca) : undefined,
  };
  return (url, init = {}) => new Promise((resolve, reject) => {
    const u = new URL(url);
    const mod = u.protocol === 'https:' ? https : null;
    if (!mod) {
      fetch(url, init).then(resolve, reject);
      return;
    }
    let { body } = init;
    if (body !== undefined && body !== null && typeof body !== 'string') body = body.toString();
    const headers = init.headers instanceof Headers
      ? Object.fromEntries(init.headers.entries()) : { ...init.headers };
    const req = https.request(u, {
      method: init.method || 'GET', headers, ...tlsOpts, agent: false,
    }, (res) => {
      const chunks = [];
      res.on('data', (c) => chunks.push(c));
      res.on('end', () => {
        const h = new Headers();
        for (const [k, v] of Object.entries(res.headers)) {
          for (const one of [].concat(v)) h.append(k, one);
        }
        const noBody = [101, 204, 205, 304].includes(res.statusCode);
        resolve(new Response(noBody ? null : Buffer.concat(chunks), {
          status: res.statusCode, headers: h,
        }));
      });
      res.on('error', reject);
    });
    req.on('error', reject);
    init.signal?.addEventListener('abort', () => req.destroy(init.signal.reason));
    req.end(body);
  });
}

function requestOptions(o) {
  const opts = { signal: AbortSignal.timeout(Number(o.timeout ?? 10) * 1000) };
  if (o.cert || o.ca) opts[oauth.customFetch] = nodeFetch(o);
  if (o.issuer && new URL(o.issuer).protocol === 'http:') opts[oauth.allowInsecureRequests] = true;
  return opts;
}

async function discover(o) {
  need(o, 'issuer');
  const issuer = new URL(o.issuer);
  const opts = requestOptions(o);
  const response = await oauth.discoveryRequest(issuer, {
    ...opts, algorithm: o.oidc ? 'oidc' : 'oauth2',
  });
  return oauth.processDiscoveryResponse(issuer, response);
}

function clientOf(o) {
  need(o, 'client_id');
  const client = { client_id: o.client_id };
  if (o.cert) client.use_mtls_endpoint_aliases = true;
  return client;
}

function clientAuthOf(o) {
  const method = o.auth || (o.client_secret !== undefined ? 'basic' : (o.cert ? 'tls' : 'none'));
  switch (method) {
    case 'basic': need(o, 'client_secret'); return oauth.ClientSecretBasic(o.client_secret);
    case 'post': need(o, 'client_secret'); return oauth.ClientSecretPost(o.client_secret);
    case 'tls': return oauth.TlsClientAuth();
    case 'none': return oauth.None();
    default: throw new Fail('usage', `--auth ${method}: basic, post, tls or none`);
  }
}

async function token(o) {
  const as = await discover(o);
  const client = clientOf(o);
  const auth = clientAuthOf(o);
  const params = new URLSearchParams();
  if (o.resource) params.set('resource', o.resource);
  if (o.scope) params.set('scope', o.scope);
  if (o.claims !== undefined) params.set('test_claims', JSON.stringify(jsonOpt(o, 'claims')));
  if (o.header !== undefined) params.set('test_header', JSON.stringify(jsonOpt(o, 'header')));
  const opts = requestOptions(o);
  let jkt;
  if (o.dpop_key) {
    const { pair } = await keyPairFromFile(o.dpop_key);
    opts.DPoP = oauth.DPoP(client, pair);
    jkt = await opts.DPoP.calculateThumbprint();
  }
  let result;
  for (let attempt = 0; ; attempt += 1) {
    try {
      const response = await oauth.clientCredentialsGrantRequest(as, client, auth, params, opts);
      result = await oauth.processClientCredentialsResponse(as, client, response);
      break;
    } catch (e) {
      // RFC 9449 §8: retry once with the nonce the server sent.
      if (attempt === 0 && opts.DPoP && oauth.isDPoPNonceError(e)) continue;
      throw e;
    }
  }
  const out = { ...result };
  const jwt = decodeJwt(result.access_token);
  if (jwt) out.jwt = jwt;
  if (jkt) out.dpop_jkt = jkt;
  if (o.cert) out.cert_thumbprint = certThumbprint(o.cert);
  return out;
}

async function introspect(o) {
  need(o, 'token');
  const as = await discover(o);
  const client = clientOf(o);
  const opts = requestOptions(o);
  if (o.hint) opts.additionalParameters = { token_type_hint: o.hint };
  const response = await oauth.introspectionRequest(as, client, clientAuthOf(o), o.token, opts);
  return oauth.processIntrospectionResponse(as, client, response);
}

async function revoke(o) {
  need(o, 'token');
  const as = await discover(o);
  const client = clientOf(o);
  const opts = requestOptions(o);
  if (o.hint) opts.additionalParameters = { token_type_hint: o.hint };
  const response = await oauth.revocationRequest(as, client, clientAuthOf(o), o.token, opts);
  await oauth.processRevocationResponse(response);
  return { revoked: true, status: response.status };
}

// A proof made by oauth4webapi's DPoP handle, as it would send it with
// a protected resource request (the request is captured, not sent).
// --nonce, --iat-offset, --jti, --claims and --header change the claims
// and header before oauth4webapi signs them.
async function dpopProof(o) {
  need(o, 'key', 'htm', 'htu');
  const { pair } = await keyPairFromFile(o.key);
  const claims = jsonOpt(o, 'claims');
  const header = jsonOpt(o, 'header');
  const hasToken = o.ath_from_token !== undefined;
  const modify = (h, p) => {
    // A proof for a token request has no ath (RFC 9449 §4.2):
    // oauth4webapi adds one for any resource request.
    if (!hasToken) delete p.ath;
    if (o.nonce !== undefined) p.nonce = o.nonce;
    if (o.iat_offset !== undefined) p.iat += Number(o.iat_offset);
    if (o.jti !== undefined) p.jti = o.jti;
    for (const [k, v] of Object.entries(claims || {})) p[k] = v === null ? undefined : v;
    for (const [k, v] of Object.entries(header || {})) h[k] = v === null ? undefined : v;
  };
  const DPoP = oauth.DPoP({}, pair, { [oauth.modifyAssertion]: modify });
  let captured;
  const capture = async (url, init) => {
    captured = init.headers;
    return new Response(null, { status: 204 });
  };
  await oauth.protectedResourceRequest(
    hasToken ? o.ath_from_token : 'none',
    o.htm,
    new URL(o.htu),
    new Headers(),
    null,
    { DPoP, [oauth.customFetch]: capture, [oauth.allowInsecureRequests]: true },
  );
  const proof = captured.dpop;
  const jwt = decodeJwt(proof);
  return {
    proof,
    jkt: await DPoP.calculateThumbprint(),
    header: jwt.header,
    payload: jwt.payload,
  };
}

async function keygen(o) {
  need(o, 'alg');
  const jose = await loadJose();
  const alg = o.alg;
  const { privateKey } = await jose.generateKeyPair(alg, {
    extractable: true, ...(alg === 'EdDSA' ? { crv: 'Ed25519' } : {}),
    ...(/^(RS|PS)/.test(alg) ? { modulusLength: 2048 } : {}),
  });
  const jwk = await jose.exportJWK(privateKey);
  const pub = publicJwk(jwk);
  const jkt = jwkThumbprint(pub);
  Object.assign(jwk, { kid: o.kid || jkt, alg, use: 'sig' });
  const pubOut = publicJwk(jwk);
  if (o.out) fs.writeFileSync(o.out, `${JSON.stringify(jwk)}\n`, { mode: 0o600 });
  if (o.jwks_out) fs.writeFileSync(o.jwks_out, `${JSON.stringify({ keys: [jwk] })}\n`, { mode: 0o600 });
  if (o.public_out) fs.writeFileSync(o.public_out, `${JSON.stringify(pubOut)}\n`);
  return {
    kid: jwk.kid, alg, jkt, private_jwk: jwk, public_jwk: pubOut,
  };
}

// Any JWS, made by hand with jose: RFC 9068 access tokens signed with
// the server's own key and chosen claims, and deliberately bad tokens
// (alg none, HS256 with a public key's bytes, wrong typ...).
async function mint(o) {
  const jose = await loadJose();
  const header = jsonOpt(o, 'header') || {};
  const now = Math.floor(Date.now() / 1000);
  let payload = {};
  if (o.at) {
    need(o, 'issuer', 'aud');
    payload = {
      iss: o.issuer,
      aud: o.aud,
      sub: o.sub || o.client_id || 'app',
      client_id: o.client_id || 'app',
      iat: now,
      exp: now + Number(o.ttl ?? 600),
      jti: crypto.randomBytes(16).toString('base64url'),
      ...(o.scope ? { scope: o.scope } : {}),
    };
  }
  for (const [k, v] of Object.entries(jsonOpt(o, 'claims') || {})) {
    if (v === null) delete payload[k]; else payload[k] = v;
  }

  let key;
  let alg = o.alg;
  let kid;
  if (alg === 'none') {
    key = undefined;
  } else if (o.secret !== undefined) {
    alg ||= 'HS256';
    key = new TextEncoder().encode(o.secret);
  } else {
    let jwk;
    if (o.keys) {
      const { keys } = readJSON(o.keys);
      jwk = o.kid ? keys.find((k) => k.kid === o.kid) : keys[0];
      if (!jwk) throw new Fail('usage', `no key ${o.kid} in ${o.keys}`);
    } else if (o.key) {
      jwk = readJSON(o.key);
    } else {
      throw new Fail('usage', '--keys, --key, --secret or --alg none');
    }
    alg = algOfJwk(jwk, alg);
    kid = jwk.kid;
    key = await jose.importJWK(jwk, alg);
  }
  const protectedHeader = {
    alg, ...(o.at ? { typ: 'at+jwt' } : {}), ...(kid ? { kid } : {}),
  };
  for (const [k, v] of Object.entries(header)) {
    if (v === null) delete protectedHeader[k]; else protectedHeader[k] = v;
  }
  let tokenValue;
  if (alg === 'none') {
    const enc = (x) => Buffer.from(JSON.stringify(x)).toString('base64url');
    tokenValue = `${enc(protectedHeader)}.${enc(payload)}.`;
  } else {
    tokenValue = await new jose.CompactSign(new TextEncoder().encode(JSON.stringify(payload)))
      .setProtectedHeader(protectedHeader)
      .sign(key);
  }
  return { token: tokenValue, header: protectedHeader, payload };
}

// A reference resource server: oauth4webapi's RFC 9068 validation
// (typ at+jwt exactly, iss, aud, exp, keys from the jwks_uri) and, for a
// DPoP request, its RFC 9449 proof checks (not the jti replay cache).
async function verify(o) {
  need(o, 'token', 'aud');
  const as = await discover(o);
  const headers = new Headers();
  const scheme = o.scheme || (o.proof ? 'DPoP' : 'Bearer');
  headers.set('authorization', `${scheme} ${o.token}`);
  if (o.proof) headers.set('dpop', o.proof);
  const request = new Request(o.htu || o.aud, { method: o.htm || 'GET', headers });
  const claims = await oauth.validateJwtAccessToken(as, request, o.aud, {
    ...requestOptions(o),
    requireDPoP: o.require_dpop !== undefined,
  });
  return { valid: true, claims };
}

function certThumbprint(file) {
  const x = new crypto.X509Certificate(fs.readFileSync(file));
  return crypto.createHash('sha256').update(x.raw).digest('base64url');
}

async function thumbprint(o) {
  if (o.cert) return { 'x5t#S256': certThumbprint(o.cert) };
  need(o, 'jwk');
  const jwk = readJSON(o.jwk);
  return { jkt: jwkThumbprint(jwk) };
}

async function decode(o) {
  need(o, 'token');
  const jwt = decodeJwt(o.token);
  if (!jwt) throw new Fail('not_a_jwt', 'the token is not a JWS');
  return jwt;
}

const COMMANDS = {
  discover,
  token,
  introspect,
  revoke,
  'dpop-proof': dpopProof,
  keygen,
  mint,
  verify,
  thumbprint,
  decode,
};

// One command: { out, code }.
async function run(argv) {
  let out;
  let code = 0;
  try {
    const { command, o } = parseArgs(argv);
    const fn = COMMANDS[command];
    if (!fn) throw new Fail('usage', `commands: ${Object.keys(COMMANDS).join(', ')}, serve`);
    out = await fn(o);
  } catch (e) {
    code = 1;
    if (e instanceof Fail) {
      out = e.body;
    } else if (e instanceof oauth.ResponseBodyError) {
      out = {
        error: e.error, error_description: e.error_description, status: e.status,
        ...(e.response?.headers?.get('dpop-nonce') ? { dpop_nonce: e.response.headers.get('dpop-nonce') } : {}),
      };
    } else if (e instanceof oauth.WWWAuthenticateChallengeError) {
      const p = e.cause?.[0]?.parameters || {};
      out = {
        error: p.error || 'www_authenticate_challenge',
        error_description: p.error_description,
        status: e.status,
        challenges: e.cause,
      };
    } else {
      out = {
        error: (typeof e.code === 'string' && e.code) || e.name || 'error',
        error_description: e.message,
      };
      if (e.cause && typeof e.cause === 'object' && !(e.cause instanceof Error)) {
        try { out.cause = JSON.parse(JSON.stringify(e.cause)); } catch {}
      }
    }
  }
  return { out, code };
}

// `serve`: one command per line on stdin (a JSON array of the
// arguments, e.g. ["token","--issuer","http://..."]), one line per answer
// on stdout: {"code":0|1,"out":{...}}, in order; exits at EOF.  The same
// commands without a node start-up each (ACOidc.pm uses it).
async function serve() {
  const rl = (await import('node:readline')).createInterface({ input: process.stdin });
  for await (const line of rl) {
    if (!line.trim()) continue;
    let answer;
    try {
      const argv = JSON.parse(line);
      if (!Array.isArray(argv) || argv[0] === 'serve') throw new Error('a JSON array of arguments');
      answer = await run(argv.map(String));
    } catch (e) {
      answer = { code: 1, out: { error: 'usage', error_description: e.message } };
    }
    process.stdout.write(`${JSON.stringify(answer)}\n`);
  }
}

async function main() {
  const argv = process.argv.slice(2);
  if (argv[0] === 'serve') {
    await serve();
    return;
  }
  const { out, code } = await run(argv);
  process.stdout.write(`${JSON.stringify(out)}\n`);
  process.exitCode = code;
}

main();
