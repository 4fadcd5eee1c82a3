// A TCP proxy between an app server and PostgreSQL that the faults test can cut and
// restore, as a database restart or a network failure would: SIGUSR1 drops every open
// connection and refuses new ones, SIGUSR2 lets them through again.
// Usage: node db_proxy.mjs LISTEN_PORT TARGET_PORT   (loopback only)
import net from "node:net";

const [listenPort, targetPort] = process.argv.slice(2).map(Number);
let down = false;
const open = new Set();

const server = net.createServer((client) => {
  if (down) {
    client.destroy();
    return;
  }
  const upstream = net.connect(targetPort, "127.0.0.1");
  open.add(client);
  open.add(upstream);
  const close = () => {
    client.destroy();
    upstream.destroy();
    open.delete(client);
    open.delete(upstream);
  };
  client.on("error", close).on("close", close);
  upstream.on("error", close).on("close", close);
  client.pipe(upstream);
  upstream.pipe(client);
});

process.on("SIGUSR1", () => {
  down = true;
  for (const socket of open) socket.destroy();
  open.clear();
  console.log("database cut");
});
process.on("SIGUSR2", () => {
  down = false;
  console.log("database back");
});
process.on("SIGTERM", () => process.exit(0));
server.listen(listenPort, "127.0.0.1", () => console.log(`proxy ${listenPort} -> ${targetPort}`));
