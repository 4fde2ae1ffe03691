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

import { createInterface } from "node:readline";
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

const lines = createInterface({ input: process.stdin, crlfDelay: Infinity });
for await (const line of lines) {
  if (!line.trim()) continue;
  let answer;
  try {
    answer = await run(JSON.parse(line));
  } catch (error) {
    answer = { ok: false, error: String(error?.message ?? error) };
  }
  process.stdout.write(`${JSON.stringify(answer)}\n`);
}
