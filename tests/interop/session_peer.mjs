// SPDX-License-Identifier: MIT
// Node side of tests/test_session_interop.py: runs iron-session 9's
// getIronSession over a fake Node req/res (its nodeCookies path, which
// serializes Set-Cookie lines exactly as a server sends them).
//
// One JSON request per stdin line, one JSON answer per stdout line:
//   {"cookie": "<Cookie header>", "options": {cookieName, password, ttl,
//    cookieOptions, chunk}, "actions": [{"set": {...}} | {"delete": [k]}
//    | {"save": true} | {"destroy": true}]}
// -> {"ok": true, "session_before": {...}, "session_after": {...},
//     "set_cookie": [...], "reasons": [...]} or {"ok": false, "error": msg}
// cookieOptions.maxAge = null stands for `maxAge: undefined` (a
// browser-session cookie), which JSON cannot spell; cookieOptions.expires
// is an ISO string, turned into a Date.
//
// With "h3": 1 or 2, the request runs h3's useSession (h3 1.x or 2.x) in
// a real h3 app instead, from the request's Cookie header (and "headers",
// more request headers): "options" is h3's session config ({password,
// name, maxAge, cookie, ...}); actions are {"update": {...}} and
// {"clear": true}. The answer's session_before / session_after are
// {id, createdAt, data}; "unseal": "<seal>" answers unsealSession's
// result (or ok: false with its error).

import { createInterface } from "node:readline";
import * as h3v1 from "h3-1";
import * as h3v2 from "h3-2";
import { getIronSession } from "iron-session-9";

function fakeResponse() {
  let header;
  return {
    headersSent: false,
    getHeader: () => header,
    setHeader: (_name, value) => {
      header = value;
    },
    lines: () => (header === undefined ? [] : [].concat(header)),
  };
}

function sessionOptions(options, reasons) {
  const result = { ...options, onUnsealError: (reason) => reasons.push(reason) };
  if (options.cookieOptions) {
    const cookieOptions = { ...options.cookieOptions };
    if (cookieOptions.maxAge === null) cookieOptions.maxAge = undefined;
    if (typeof cookieOptions.expires === "string") {
      cookieOptions.expires = new Date(cookieOptions.expires);
    }
    result.cookieOptions = cookieOptions;
  }
  return result;
}

async function run(request) {
  const reasons = [];
  const req = { headers: request.cookie ? { cookie: request.cookie } : {} };
  const res = fakeResponse();
  const session = await getIronSession(req, res, sessionOptions(request.options, reasons));
  const before = { ...session };
  for (const action of request.actions ?? []) {
    if (action.set) Object.assign(session, action.set);
    if (action.delete) for (const key of action.delete) delete session[key];
    if (action.save) await session.save();
    if (action.destroy) session.destroy();
  }
  return {
    ok: true,
    session_before: before,
    session_after: { ...session },
    set_cookie: res.lines(),
    reasons,
  };
}

function h3Snapshot(session) {
  return { id: session.id, createdAt: session.createdAt, data: { ...session.data } };
}

async function h3Handle(h3, event, request) {
  const options = request.options;
  if (request.unseal !== undefined) {
    try {
      return { ok: true, unsealed: await h3.unsealSession(event, options, request.unseal) };
    } catch (error) {
      return { ok: false, error: String(error?.message ?? error) };
    }
  }
  const session = await h3.useSession(event, options);
  const before = { ...h3Snapshot(event.context.sessions[options.name || "h3"]) };
  for (const action of request.actions ?? []) {
    if (action.update) await session.update(action.update);
    if (action.clear) await session.clear();
  }
  const after = event.context.sessions?.[options.name || "h3"];
  return {
    ok: true,
    session_before: before,
    session_after: after ? h3Snapshot(after) : null,
  };
}

// One h3 app per major, built once; each request's answer comes back
// through `pending` (the handler runs inside the app).
let pending;
const h3Apps = {
  1: (() => {
    const app = h3v1.createApp();
    app.use(h3v1.eventHandler(async (event) => {
      pending = await h3Handle(h3v1, event, pending);
      return "";
    }));
    return h3v1.toWebHandler(app);
  })(),
  2: (() => {
    const app = new h3v2.H3();
    app.all("/**", async (event) => {
      pending = await h3Handle(h3v2, event, pending);
      return "";
    });
    return (req) => app.fetch(req);
  })(),
};

async function runH3(request) {
  const headers = new Headers(request.headers ?? {});
  if (request.cookie) headers.set("cookie", request.cookie);
  pending = request;
  const response = await h3Apps[request.h3](new Request("http://localhost/", { headers }));
  await response.text();
  const answer = pending;
  if (answer === request) {
    return { ok: false, error: `h3 answered ${response.status} without running the handler` };
  }
  return { ...answer, set_cookie: response.headers.getSetCookie() };
}

const lines = createInterface({ input: process.stdin, crlfDelay: Infinity });
for await (const line of lines) {
  if (!line.trim()) continue;
  let answer;
  try {
    const request = JSON.parse(line);
    answer = await (request.h3 ? runH3(request) : run(request));
  } catch (error) {
    answer = { ok: false, error: String(error?.message ?? error) };
  }
  process.stdout.write(`${JSON.stringify(answer)}\n`);
}
