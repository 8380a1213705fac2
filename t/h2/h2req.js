// Licensed under the Apache License, Version 2.0 (see LICENSE).
//
// One HTTP/2 request with node's own http2 client (no npm package), for
// t/h2/*.t: a forward proxy request over h2 (RFC 9113 §8.3.1: the
// origin's :scheme and :authority, sent to the proxy's connection) or a
// CONNECT tunnel over h2 (§8.5), which curl 7.88 cannot make, and the
// header fields exactly as they came in the HEADERS frame.
//
//   node t/h2/h2req.js < request.json
//
// request.json:
//   { "connect": "https://127.0.0.1:<port>" (TLS, ALPN h2; the test
//                certificate is not checked) or "http://..." (h2c,
//                prior knowledge),
//     "headers": { ":method": "GET", ":scheme": "http",
//                  ":authority": "127.0.0.1:<port>", ":path": "/...",
//                  "proxy-authorization": "...", ... },
//     "tunnel": "GET / HTTP/1.1\r\n..." (a CONNECT: sent through the
//               tunnel once it is open (2xx), what comes back is the body),
//     "timeout_ms": 10000 }
// stdout: { "alpn": "h2" (or null for h2c), "status": 407,
//           "headers": [[name, value], ...] in the order received,
//           "body": "...", "error": null or a message }
'use strict';

const fs = require('fs');
const http2 = require('http2');

function main() {
    const req = JSON.parse(fs.readFileSync(0, 'utf8'));
    const out = { alpn: null, status: null, headers: [], body: '',
                  error: null };
    const done = () => {
        process.stdout.write(JSON.stringify(out) + '\n');
        process.exit(0);
    };
    const timer = setTimeout(() => {
        out.error = 'timeout';
        done();
    }, req.timeout_ms || 10000);
    const session = http2.connect(req.connect,
                                  { rejectUnauthorized: false });
    session.on('error', (e) => {
        out.error = String(e.message || e);
        clearTimeout(timer);
        done();
    });
    session.on('connect', () => {
        out.alpn = session.alpnProtocol || null;
    });
    const tunnel = req.tunnel;
    const stream = session.request(req.headers,
                                   { endStream: tunnel === undefined });
    stream.on('response', (headers, flags, raw) => {
        out.status = headers[':status'];
        if (tunnel !== undefined) {
            stream.end(out.status >= 200 && out.status < 300 ? tunnel : '');
        }
        for (let i = 0; raw && i + 1 < raw.length; i += 2) {
            if (!raw[i].startsWith(':')) {
                out.headers.push([raw[i], raw[i + 1]]);
            }
        }
    });
    stream.setEncoding('utf8');
    stream.on('data', (d) => { out.body += d; });
    stream.on('end', () => {
        clearTimeout(timer);
        session.close();
        done();
    });
    stream.on('error', (e) => {
        out.error = String(e.message || e);
    });
}

main();
