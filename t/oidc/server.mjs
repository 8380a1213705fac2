// Licensed under the Apache License, Version 2.0 (see LICENSE).
//
// A real OAuth 2.0 authorization server for the tests: node-oidc-provider
// (pinned in t/oidc/package-lock.json, `make oidc-deps`) on loopback
// HTTP, optionally with an HTTPS listener that asks for client
// certificates (RFC 8705).  Tokens, signatures, DPoP checks and
// introspection are oidc-provider's own; this file only configures it,
// counts requests and adds a few test controls under /__.
//
//   node t/oidc/server.mjs [--config FILE] [--port N] [--host H]
//        [--issuer URL] [--keys FILE] [--sign-kid KID]
//        [--tls-port N --tls-cert PEM --tls-key PEM [--tls-ca PEM]]
//        [--ready-file FILE] [--owner-pid PID] [--dpop-nonce]
//
// See t/oidc/README.md for the configuration file, the defaults and the
// /__ endpoints.  Prints "READY <port>" (and writes --ready-file, JSON)
// once it listens; SIGTERM/SIGINT stop it, SIGHUP reloads the keys file.

import * as crypto from 'node:crypto';
import * as fs from 'node:fs';
import * as http from 'node:http';
import * as https from 'node:https';
import * as path from 'node:path';

import Provider, { errors } from 'oidc-provider';

// ------------------------------------------------------------ options
const FLAGS = {
  '--config': 'config', '--port': 'port', '--host': 'host',
  '--issuer': 'issuer', '--keys': 'keys', '--sign-kid': 'sign_kid',
  '--tls-port': 'tls.port', '--tls-cert': 'tls.cert', '--tls-key': 'tls.key',
  '--tls-ca': 'tls.ca', '--ready-file': 'ready_file',
  '--owner-pid': 'owner_pid', '--dpop-nonce': 'dpop_nonce',
};
const BOOLEAN_FLAGS = new Set(['--dpop-nonce']);

function die(msg) {
  process.stderr.write(`server.mjs: ${msg}\n`);
  process.exit(2);
}

function parseArgs(argv) {
  const flags = {};
  for (let i = 0; i < argv.length; i += 1) {
    const arg = argv[i];
    if (arg === '--help' || arg === '-h') {
      process.stdout.write(fs.readFileSync(new URL(import.meta.url), 'utf8')
        .split('\n').filter((l) => l.startsWith('//')).slice(0, 17)
        .map((l) => l.replace(/^\/\/ ?/, ''))
        .join('\n') + '\n');
      process.exit(0);
    }
    const [name, inline] = arg.split(/=(.*)/s, 2);
    if (!(name in FLAGS)) die(`unknown option ${arg}`);
    let value;
    if (BOOLEAN_FLAGS.has(name)) value = true;
    else if (inline !== undefined) value = inline;
    else if (i + 1 < argv.length) value = argv[++i];
    else die(`${name} needs a value`);
    flags[FLAGS[name]] = value;
  }
  return flags;
}

const flags = parseArgs(process.argv.slice(2));
let cfg = {};
if (flags.config) {
  try {
    cfg = JSON.parse(fs.readFileSync(flags.config, 'utf8'));
  } catch (e) {
    die(`cannot read --config ${flags.config}: ${e.message}`);
  }
}
const cfgDir = flags.config ? path.dirname(path.resolve(flags.config)) : process.cwd();
for (const [k, v] of Object.entries(flags)) {
  if (k === 'config') continue;
  if (k.startsWith('tls.')) {
    cfg.tls ||= {};
    cfg.tls[k.slice(4)] = v;
  } else {
    cfg[k] = v;
  }
}
const resolvePath = (p) => (p ? path.resolve(cfgDir, p) : p);

const host = cfg.host || '127.0.0.1';
const wantPort = Number(cfg.port ?? 0);
if (!cfg.keys) die('--keys FILE (a JWKS of private signing keys) is required');
const keysFile = resolvePath(cfg.keys);
const tls = cfg.tls && (cfg.tls.cert || cfg.tls.port !== undefined) ? {
  port: Number(cfg.tls.port ?? 0),
  cert: resolvePath(cfg.tls.cert),
  key: resolvePath(cfg.tls.key),
  ca: resolvePath(cfg.tls.ca),
} : null;
if (tls && (!tls.cert || !tls.key)) die('the TLS listener needs --tls-cert and --tls-key');

const DEFAULT_SCOPES = ['read', 'write', 'admin'];
const staticScopes = cfg.scopes || DEFAULT_SCOPES;
const accessTokenTTL = Number(cfg.access_token_ttl ?? 600);
const allowTestClaims = cfg.test_claims !== false;
// The DPoP nonce secret outlives a key reload: nonces stay valid.
const dpopNonceSecret = cfg.dpop_nonce_secret
  ? Buffer.from(cfg.dpop_nonce_secret, 'base64url')
  : crypto.randomBytes(32);

const DEFAULT_CLIENTS = [
  { client_id: 'app', client_secret: 'app-secret' },
  { client_id: 'rs', client_secret: 'rs-secret' },
  // any client certificate, self-signed too, binds its tokens (RFC 8705 §3)
  {
    client_id: 'bound-app',
    client_secret: 'bound-app-secret',
    tls_client_certificate_bound_access_tokens: true,
  },
  {
    client_id: 'mtls-app',
    token_endpoint_auth_method: 'tls_client_auth',
    tls_client_auth_subject_dn: 'CN=mtls-app',
    tls_client_certificate_bound_access_tokens: true,
  },
];

function clientsFromConfig() {
  return (cfg.clients || DEFAULT_CLIENTS).map((c) => ({
    grant_types: ['client_credentials'],
    response_types: [],
    redirect_uris: [],
    token_endpoint_auth_method: c.client_secret ? 'client_secret_basic' : undefined,
    ...c,
  }));
}

// ------------------------------------------------------------ storage
// oidc-provider's own memory adapter keeps one store per Provider
// instance: a key reload (a new instance) would forget every issued
// opaque token.  This one store outlives reloads (not restarts), never
// evicts before expiry, and implements the adapter interface of
// oidc-provider's docs.
const store = new Map(); // "Model:id" -> { payload, expiresAt (ms) }
const grantIndex = new Map(); // grantId -> Set of keys

function liveEntry(key) {
  const e = store.get(key);
  if (!e) return undefined;
  if (e.expiresAt <= Date.now()) {
    store.delete(key);
    return undefined;
  }
  return e;
}

setInterval(() => {
  const now = Date.now();
  for (const [k, e] of store) if (e.expiresAt <= now) store.delete(k);
}, 60000).unref();

class TestAdapter {
  constructor(model) {
    this.model = model;
  }

  key(id) {
    return `${this.model}:${id}`;
  }

  async upsert(id, payload, expiresIn) {
    const key = this.key(id);
    store.set(key, {
      payload,
      expiresAt: expiresIn ? Date.now() + expiresIn * 1000 : Infinity,
    });
    if (payload.grantId) {
      if (!grantIndex.has(payload.grantId)) grantIndex.set(payload.grantId, new Set());
      grantIndex.get(payload.grantId).add(key);
    }
    if (payload.userCode) store.set(`userCode:${payload.userCode}`, { payload: key, expiresAt: Infinity });
    if (payload.uid) store.set(`uid:${payload.uid}`, { payload: key, expiresAt: Infinity });
  }

  async find(id) {
    return liveEntry(this.key(id))?.payload;
  }

  async findByUserCode(userCode) {
    const ref = store.get(`userCode:${userCode}`);
    return ref ? liveEntry(ref.payload)?.payload : undefined;
  }

  async findByUid(uid) {
    const ref = store.get(`uid:${uid}`);
    return ref ? liveEntry(ref.payload)?.payload : undefined;
  }

  async consume(id) {
    const e = liveEntry(this.key(id));
    if (e) e.payload.consumed = Math.floor(Date.now() / 1000);
  }

  async destroy(id) {
    store.delete(this.key(id));
  }

  async revokeByGrantId(grantId) {
    for (const key of grantIndex.get(grantId) || []) store.delete(key);
    grantIndex.delete(grantId);
  }
}

// ------------------------------------------------------------ state
const stats = {
  started: Date.now(),
  generation: 0,
  requests: 0,
  discovery_fetches: 0,
  jwks_fetches: 0,
  jwks_fetch_times: [],
  token_requests: 0,
  introspections: 0,
  revocations: 0,
  kids: [],
  sign_kid: null,
};
// name -> { status, body, delay_ms, close }
let faults = {};
let provider;
let handler;
let issuer;
let tlsPort;

function readKeys() {
  const text = fs.readFileSync(keysFile, 'utf8');
  const jwks = JSON.parse(text);
  if (!Array.isArray(jwks.keys) || !jwks.keys.length) {
    throw new Error(`${keysFile}: no "keys"`);
  }
  for (const k of jwks.keys) {
    if (!k.d) throw new Error(`${keysFile}: key ${k.kid ?? '(no kid)'} is not a private key`);
  }
  return jwks;
}

function algOfKey(jwk) {
  if (jwk.alg) return jwk.alg;
  if (jwk.kty === 'RSA') return 'RS256';
  if (jwk.kty === 'OKP') return 'EdDSA';
  if (jwk.kty === 'EC') return { 'P-256': 'ES256', 'P-384': 'ES384', 'P-521': 'ES512' }[jwk.crv];
  return undefined;
}

// certificateSubjectMatches: the registered DN against the
// certificate's, as RFC 4514 (last RDN first) or in certificate order.
function dnVariants(x509) {
  const rdns = x509.subject.split('\n');
  return [rdns.join(','), [...rdns].reverse().join(',')].map((s) => s.replace(/\s*,\s*/g, ','));
}

function peerCertificate(ctx) {
  const sock = ctx.req.socket;
  if (typeof sock.getPeerCertificate !== 'function') return undefined;
  const peer = sock.getPeerCertificate();
  if (!peer || !peer.raw) return undefined;
  return new crypto.X509Certificate(peer.raw);
}

function jsonParam(ctx, name) {
  const raw = ctx.oidc?.body?.[name];
  if (raw === undefined || !allowTestClaims) return undefined;
  try {
    const v = JSON.parse(raw);
    if (v && typeof v === 'object' && !Array.isArray(v)) return v;
  } catch {}
  throw new errors.InvalidRequest(`${name} must be a JSON object`);
}

function resourceInfo(identifier) {
  const resources = cfg.resources || {};
  const rs = resources[identifier] || resources['*'] || { scope: staticScopes.join(' ') };
  return rs;
}

function buildProvider(jwks) {
  const signKid = cfg.sign_kid || jwks.keys[0].kid;
  const signKey = jwks.keys.find((k) => k.kid === signKid);
  if (!signKey) throw new Error(`no key with kid ${signKid} in ${keysFile}`);
  const signAlg = algOfKey(signKey);

  const configuration = {
    jwks,
    adapter: TestAdapter,
    clients: clientsFromConfig(),
    // the default (RS256) must be a signing key's: an ES256-only key set
    // would make every client invalid
    clientDefaults: {
      grant_types: ['client_credentials'],
      response_types: [],
      id_token_signed_response_alg: signAlg,
    },
    scopes: ['openid', 'offline_access', ...staticScopes],
    clientBasedCORS: () => false,
    clientAuthMethods: ['client_secret_basic', 'client_secret_post', 'private_key_jwt',
      'tls_client_auth', 'self_signed_tls_client_auth', 'none'],
    cookies: { keys: [crypto.randomBytes(32).toString('base64url')] },
    enabledJWA: {
      dPoPSigningAlgValues: ['ES256', 'ES384', 'ES512', 'PS256', 'RS256', 'Ed25519', 'EdDSA'],
      idTokenSigningAlgValues: ['RS256', 'RS384', 'RS512', 'PS256', 'PS384', 'PS512',
        'ES256', 'ES384', 'ES512', 'Ed25519', 'EdDSA'],
    },
    ttl: {
      ClientCredentials: (ctx, token) => token.resourceServer?.accessTokenTTL || accessTokenTTL,
      AccessToken: (ctx, token) => token.resourceServer?.accessTokenTTL || accessTokenTTL,
    },
    features: {
      devInteractions: { enabled: false },
      clientCredentials: { enabled: true },
      introspection: { enabled: true },
      revocation: { enabled: true },
      dPoP: {
        enabled: true,
        nonceSecret: dpopNonceSecret,
        requireNonce: () => !!cfg.dpop_nonce,
      },
      mTLS: {
        enabled: true,
        certificateBoundAccessTokens: true,
        tlsClientAuth: true,
        selfSignedTlsClientAuth: true,
        getCertificate: peerCertificate,
        certificateAuthorized: (ctx) => !!ctx.req.socket.authorized,
        certificateSubjectMatches(ctx, property, expected) {
          const cert = peerCertificate(ctx);
          if (!cert) return false;
          switch (property) {
            case 'tls_client_auth_subject_dn':
              return dnVariants(cert).includes(expected.replace(/\s*,\s*/g, ','));
            case 'tls_client_auth_san_dns':
              return (cert.subjectAltName || '').split(/,\s*/).includes(`DNS:${expected}`);
            case 'tls_client_auth_san_ip':
              return (cert.subjectAltName || '').split(/,\s*/).includes(`IP Address:${expected}`);
            default:
              return false;
          }
        },
      },
      resourceIndicators: {
        enabled: true,
        defaultResource: (ctx, client, oneOf) => oneOf || cfg.default_resource || undefined,
        useGrantedResource: () => true,
        getResourceServerInfo(ctx, identifier) {
          const rs = resourceInfo(identifier);
          const format = rs.format || 'jwt';
          return {
            scope: rs.scope ?? staticScopes.join(' '),
            audience: rs.audience || identifier,
            accessTokenTTL: Number(rs.ttl ?? accessTokenTTL),
            accessTokenFormat: format,
            ...(format === 'jwt'
              ? { jwt: { sign: { alg: rs.alg || signAlg, kid: rs.kid || signKid } } }
              : {}),
          };
        },
      },
    },
    // Test-chosen claims (acr, auth_time, sub, ...): the token request's
    // test_claims parameter, a JSON object.  Stored with the token, so
    // introspection of an opaque token shows them too.
    extraTokenClaims: (ctx) => jsonParam(ctx, 'test_claims'),
    formats: {
      customizers: {
        jwt(ctx, token, jwt) {
          const claims = jsonParam(ctx, 'test_claims');
          if (claims) {
            for (const [k, v] of Object.entries(claims)) {
              jwt.payload[k] = v === null ? undefined : v;
            }
          }
          const header = jsonParam(ctx, 'test_header');
          if (header) {
            jwt.header = {};
            for (const [k, v] of Object.entries(header)) {
              jwt.header[k] = v === null ? undefined : v;
            }
          }
        },
      },
    },
    discovery: tls ? {
      mtls_endpoint_aliases: {
        token_endpoint: `https://${host}:${tlsPort}/token`,
        introspection_endpoint: `https://${host}:${tlsPort}/token/introspection`,
        revocation_endpoint: `https://${host}:${tlsPort}/token/revocation`,
      },
    } : {},
  };

  const p = new Provider(issuer, configuration);
  p.on('server_error', (ctx, err) => {
    process.stderr.write(`server.mjs: server_error ${ctx.path}: ${err.stack}\n`);
  });

  // RFC 8414 metadata is the same document as OpenID discovery here
  // (issuer has no path component).
  p.use(async (ctx, next) => {
    if (ctx.path === '/.well-known/oauth-authorization-server') {
      ctx.path = '/.well-known/openid-configuration';
    }
    await next();
  });

  stats.kids = jwks.keys.map((k) => k.kid);
  stats.sign_kid = signKid;
  return p;
}

// ------------------------------------------------------------ HTTP
function endpointOf(pathname) {
  switch (pathname) {
    case '/.well-known/openid-configuration':
    case '/.well-known/oauth-authorization-server':
      return 'discovery';
    case '/jwks': return 'jwks';
    case '/token': return 'token';
    case '/token/introspection': return 'introspection';
    case '/token/revocation': return 'revocation';
    default: return null;
  }
}

function count(endpoint) {
  switch (endpoint) {
    case 'discovery': stats.discovery_fetches += 1; break;
    case 'jwks':
      stats.jwks_fetches += 1;
      stats.jwks_fetch_times.push(Date.now());
      if (stats.jwks_fetch_times.length > 1000) stats.jwks_fetch_times.shift();
      break;
    case 'token': stats.token_requests += 1; break;
    case 'introspection': stats.introspections += 1; break;
    case 'revocation': stats.revocations += 1; break;
    default:
  }
}

function sendJSON(res, status, body) {
  const text = `${JSON.stringify(body)}\n`;
  res.writeHead(status, { 'content-type': 'application/json', 'cache-control': 'no-store' });
  res.end(text);
}

function readBody(req) {
  return new Promise((resolve, reject) => {
    const chunks = [];
    req.on('data', (c) => chunks.push(c));
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

function reloadKeys() {
  const jwks = readKeys();
  const next = buildProvider(jwks);
  provider = next;
  handler = next.callback();
  stats.generation += 1;
  return { generation: stats.generation, kids: stats.kids, sign_kid: stats.sign_kid };
}

async function control(req, res, pathname) {
  if (pathname === '/__stats' && req.method === 'GET') {
    return sendJSON(res, 200, { ...stats, faults, issuer, now: Date.now() });
  }
  if (req.method !== 'POST') return sendJSON(res, 405, { error: 'POST only' });
  const text = await readBody(req);
  switch (pathname) {
    case '/__reset':
      Object.assign(stats, {
        requests: 0, discovery_fetches: 0, jwks_fetches: 0, jwks_fetch_times: [],
        token_requests: 0, introspections: 0, revocations: 0,
      });
      return sendJSON(res, 200, { ok: true });
    case '/__reload':
      try {
        return sendJSON(res, 200, { ok: true, ...reloadKeys() });
      } catch (e) {
        return sendJSON(res, 500, { ok: false, error: e.message });
      }
    case '/__fault': {
      let f;
      try {
        f = text ? JSON.parse(text) : {};
      } catch {
        return sendJSON(res, 400, { error: 'body must be JSON' });
      }
      faults = {};
      for (const [k, v] of Object.entries(f)) if (v) faults[k] = v;
      return sendJSON(res, 200, { ok: true, faults });
    }
    default:
      return sendJSON(res, 404, { error: 'unknown control' });
  }
}

async function handle(req, res) {
  stats.requests += 1;
  const pathname = new URL(req.url, 'http://x').pathname;
  if (pathname.startsWith('/__')) {
    try {
      await control(req, res, pathname);
    } catch (e) {
      sendJSON(res, 500, { error: e.message });
    }
    return;
  }
  const endpoint = endpointOf(pathname);
  count(endpoint);
  const fault = endpoint && faults[endpoint];
  if (fault) {
    if (fault.delay_ms) await new Promise((r) => { setTimeout(r, fault.delay_ms); });
    if (fault.close) {
      req.socket.destroy();
      return;
    }
    if (fault.status) {
      res.writeHead(fault.status, { 'content-type': fault.content_type || 'application/json' });
      res.end(fault.body ?? `{"error":"fault injected"}\n`);
      return;
    }
  }
  handler(req, res);
}

const servers = [];
const sockets = new Set();

function listen(server, port) {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => resolve(server.address().port));
  });
}

function track(server) {
  server.on('connection', (s) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  server.on('secureConnection', (s) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  servers.push(server);
}

let stopping = false;
function shutdown(code = 0) {
  if (stopping) return;
  stopping = true;
  for (const s of servers) s.close();
  for (const s of sockets) s.destroy();
  if (cfg.ready_file) {
    try { fs.unlinkSync(resolvePath(cfg.ready_file)); } catch {}
  }
  setTimeout(() => process.exit(code), 50).unref();
  process.exitCode = code;
}

process.on('SIGTERM', () => shutdown(0));
process.on('SIGINT', () => shutdown(0));
process.on('SIGHUP', () => {
  try {
    const r = reloadKeys();
    process.stdout.write(`RELOADED ${r.generation} ${r.kids.join(',')}\n`);
  } catch (e) {
    process.stderr.write(`server.mjs: reload failed: ${e.message}\n`);
  }
});

async function main() {
  let initialKeys;
  try {
    initialKeys = readKeys();
  } catch (e) {
    die(`cannot read keys: ${e.message}`);
  }

  const httpServer = http.createServer({ keepAliveTimeout: 5000 }, handle);
  track(httpServer);
  const port = await listen(httpServer, wantPort);

  if (tls) {
    const httpsServer = https.createServer({
      cert: fs.readFileSync(tls.cert),
      key: fs.readFileSync(tls.key),
      ca: tls.ca ? fs.readFileSync(tls.ca) : undefined,
      requestCert: true,
      rejectUnauthorized: false,
    }, handle);
    track(httpsServer);
    tlsPort = await listen(httpsServer, tls.port);
  }

  issuer = (cfg.issuer || 'http://127.0.0.1:{port}').replace('{port}', String(port));
  provider = buildProvider(initialKeys);
  handler = provider.callback();

  const ready = {
    port,
    tls_port: tlsPort ?? null,
    issuer,
    pid: process.pid,
    jwks_uri: `${issuer}/jwks`,
    metadata: `${issuer}/.well-known/oauth-authorization-server`,
    openid_configuration: `${issuer}/.well-known/openid-configuration`,
  };
  if (cfg.ready_file) {
    const f = resolvePath(cfg.ready_file);
    fs.writeFileSync(`${f}.tmp`, `${JSON.stringify(ready)}\n`);
    fs.renameSync(`${f}.tmp`, f);
  }
  process.stdout.write(`READY ${port}${tlsPort ? ` ${tlsPort}` : ''}\n`);

  if (cfg.owner_pid) {
    const owner = Number(cfg.owner_pid);
    setInterval(() => {
      let alive = true;
      try {
        process.kill(owner, 0);
        // a zombie is not alive (where PID 1 does not reap)
        const stat = fs.readFileSync(`/proc/${owner}/stat`, 'utf8');
        if (/^\d+ \(.*\) Z/s.test(stat)) alive = false;
      } catch {
        alive = false;
      }
      if (!alive) {
        process.stderr.write(`server.mjs: owner ${owner} is gone, stopping\n`);
        shutdown(0);
      }
    }, 500);
  }
}

main().catch((e) => die(e.stack || e.message));
