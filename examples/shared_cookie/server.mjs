// SPDX-License-Identifier: MIT
// The Node half of the shared-cookie example: plain node:http and the real
// iron-session 9, with the same password and cookie name as app.py.
//
//   cd examples/shared_cookie && npm install
//   COOKIE_SECURE=0 node server.mjs   # SECRET_COOKIE_PASSWORD: see README.md
//
// GET / shows the session, POST /visit adds a visit, POST /logout ends it.
// COOKIE_NAME overrides the cookie's name (the demo reads its own cookie).

import { createServer } from "node:http";

// The package to use: `npm install` here, or another copy of iron-session
// named by IRON_SESSION_MODULE (the tests use tests/interop's, offline).
const { getIronSession } = await import(
  process.env.IRON_SESSION_MODULE ?? "iron-session"
);

const sessionOptions = {
  password: process.env.SECRET_COOKIE_PASSWORD,
  cookieName: process.env.COOKIE_NAME ?? "shared_session",
  cookieOptions: { secure: process.env.COOKIE_SECURE !== "0" },
};

function reply(res, status, body) {
  res.writeHead(status, { "content-type": "application/json" });
  res.end(JSON.stringify(body));
}

const server = createServer(async (req, res) => {
  try {
    const session = await getIronSession(req, res, sessionOptions);
    const route = `${req.method} ${new URL(req.url, "http://x").pathname}`;
    if (route === "POST /visit") {
      session.visits = (session.visits ?? 0) + 1;
      session.history = [...(session.history ?? []), "node"].slice(-10);
      await session.save();
    } else if (route === "POST /logout") {
      session.destroy();
    } else if (route !== "GET /") {
      return reply(res, 404, { error: "not found" });
    }
    reply(res, 200, { service: "node", session: { ...session } });
  } catch (error) {
    reply(res, 500, { error: String(error?.message ?? error) });
  }
});

// PORT=0 picks a free port: the line below says which (the demo reads it).
server.listen(Number(process.env.PORT ?? 3000), "127.0.0.1", () => {
  console.log(`node service on http://127.0.0.1:${server.address().port}`);
});

// Started by another program (examples/demo/app.py): end with it, even
// when it is killed, as its end of our stdin then closes.
if (process.env.EXIT_ON_STDIN_END === "1") {
  process.stdin.on("end", () => process.exit(0));
  process.stdin.resume();
}
