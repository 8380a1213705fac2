// Licensed under the Apache License, Version 2.0 (see LICENSE).
//
// Drives Debian's chromium (never a downloaded browser) through
// playwright-core for t/browser/*.t: one browser launch, one fresh
// browser context per scenario (its own auth cache, cookies, proxy).
//
//   node t/browser/run.js < request.json
//
// request.json:
//   { "chromium": "/usr/bin/chromium", "error_log": "<path>",
//     "out": "<path of results.json, written at the end>",
//     "timeout_ms": 30000,
//     "ignore_certificate_errors": true (optional: the browser accepts
//         any certificate, of an origin or of an HTTPS proxy: the test
//         servers' self-signed one, t/h2/setup.sh),
//     "scenarios": [ { "name": "...", "urls": [ "http://...", ... ],
//                      "username": "...", "password": "...",
//                      "proxy": "http://127.0.0.1:<port>" }, ... ] }
//   The urls of a scenario are visited in turn in one page (the second
//   visit shows what Chromium sends from its auth cache).
//   With "proxy" the credentials answer the proxy's 407 (Playwright
//   gives a Chromium context its proxy credentials as httpCredentials);
//   without, the origin's 401.  Playwright adds the "<-loopback>" bypass
//   rule itself, so 127.0.0.1 goes through the proxy.
//
// results.json:
//   { "version": "<chromium version>", "results": [ { "name",
//     "visits": [ { "url", "status" (of the navigation's final
//       response, or null), "headers" (its headers, lower-case names),
//       "body" (its text), "error" (a navigation error, or null),
//       "log" (what error_log gained during the visit), "ms" }, ... ],
//     "ms" (the scenario, context set-up included) }, ... ] }
//   Auth retries happen inside Chromium's network stack: a visit has
//   one final response; what the browser sent is in the echo CGI's body.
//
// Exit status 0 when every scenario ran (whatever its outcome), 1 when
// the browser could not be launched or a scenario crashed the runner.
'use strict';

const fs = require('fs');
const path = require('path');

process.env.PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD = '1';

const { chromium } = require(path.join(__dirname, 'node_modules',
                                       'playwright-core'));

// Deterministic, quiet, and allowed to run as root (CI).
const ARGS = [
    '--headless=new', '--no-sandbox', '--disable-gpu',
    '--disable-dev-shm-usage', '--disable-background-networking',
    '--disable-component-update', '--disable-default-apps',
    '--disable-extensions', '--disable-sync', '--no-first-run',
    '--no-default-browser-check', '--metrics-recording-only',
    '--disable-features=Translate,MediaRouter,OptimizationHints',
    '--password-store=basic', '--use-mock-keychain',
];

function readStdin() {
    return fs.readFileSync(0, 'utf8');
}

function logSize(file) {
    try {
        return fs.statSync(file).size;
    } catch (e) {
        return 0;
    }
}

function logSince(file, mark) {
    let fd;
    try {
        fd = fs.openSync(file, 'r');
    } catch (e) {
        return '';
    }
    try {
        const size = fs.fstatSync(fd).size;
        if (size <= mark) {
            return '';
        }
        const buf = Buffer.alloc(size - mark);
        fs.readSync(fd, buf, 0, buf.length, mark);
        return buf.toString('utf8');
    } finally {
        fs.closeSync(fd);
    }
}

// One navigation; what error_log gained meanwhile.
async function visit(page, req, url) {
    const v = { url, status: null, headers: {}, body: null, error: null,
                log: '' };
    const mark = logSize(req.error_log);
    const t0 = Date.now();
    try {
        const resp = await page.goto(url, { waitUntil: 'load',
                                            timeout: req.timeout_ms });
        if (resp) {
            v.status = resp.status();
            v.headers = await resp.allHeaders();
            // The bytes as UTF-8 (text() would guess a charset).
            v.body = (await resp.body()).toString('utf8');
        }
    } catch (e) {
        v.error = String(e.message || e).split('\n')[0];
    }
    v.ms = Date.now() - t0;
    v.log = logSince(req.error_log, mark);
    return v;
}

async function runOne(browser, req, sc) {
    const creds = { username: sc.username, password: sc.password };
    const opts = sc.proxy ? { proxy: { server: sc.proxy, ...creds } }
                          : { httpCredentials: creds };
    const out = { name: sc.name, visits: [] };
    const t0 = Date.now();
    const context = await browser.newContext(opts);
    try {
        const page = await context.newPage();
        page.setDefaultTimeout(req.timeout_ms);
        for (const url of sc.urls) {
            out.visits.push(await visit(page, req, url));
        }
    } finally {
        await context.close();
    }
    out.ms = Date.now() - t0;
    return out;
}

async function main() {
    const req = JSON.parse(readStdin());
    req.timeout_ms = req.timeout_ms || 30000;
    // A context's ignoreHTTPSErrors does not cover an HTTPS proxy: the
    // browser's own switch does.
    const args = req.ignore_certificate_errors
        ? ARGS.concat(['--ignore-certificate-errors']) : ARGS;
    const browser = await chromium.launch({
        executablePath: req.chromium || '/usr/bin/chromium',
        headless: true,
        args,
        timeout: req.timeout_ms * 2,
    });
    const version = browser.version();
    const results = [];
    try {
        for (const sc of req.scenarios) {
            results.push(await runOne(browser, req, sc));
        }
    } finally {
        await browser.close();
    }
    // A file, written synchronously: process.exit() may cut short what
    // is still queued for a pipe.
    fs.writeFileSync(req.out, JSON.stringify({ version, results }) + '\n');
}

main().then(() => process.exit(0), (e) => {
    process.stderr.write(`run.js: ${e && e.stack ? e.stack : e}\n`);
    process.exit(1);
});
