// SPDX-License-Identifier: MIT
// The benchmark's session app in Node: iron-session 9's getIronSession on
// Node's own http server, the counter of benches/apps.py. Started by
// benches/server/run.py with PORT, BENCH_PASSWORD and BENCH_MODE ("modify"
// or "read") in its environment; GET /prime sets the session.
import { createServer } from "node:http";

const INTEROP = new URL("../../tests/interop/node_modules/", import.meta.url);
const { getIronSession } = await import(
  new URL("iron-session-9/dist/index.js", INTEROP).href
);
const options = { password: process.env.BENCH_PASSWORD, cookieName: "session" };
const payload = JSON.parse(process.env.BENCH_PAYLOAD);
const modify = process.env.BENCH_MODE === "modify";

createServer(async (req, res) => {
  const session = await getIronSession(req, res, options);
  let count = session.count ?? 0;
  if (req.url === "/prime") {
    Object.assign(session, payload, { count: (count = 1) });
    await session.save();
  } else if (modify) {
    if (session.uid === undefined) Object.assign(session, payload);
    session.count = count += 1;
    await session.save();
  }
  res.setHeader("content-type", "text/plain; charset=utf-8");
  res.end(String(count));
}).listen(Number(process.env.PORT), "127.0.0.1");
