// The floor: a bare node:http server answering a fixed JSON body, the most a Node process on this machine can
// answer. Gatehouse's session checks are reported as a share of it.
import { createServer } from "node:http";

const body = JSON.stringify({ status_code: 200, request_id: "request-id-test-floor", ok: true });
const server = createServer((request, response) => {
  request.resume();
  request.on("end", () => {
    response.writeHead(200, {
      "content-type": "application/json; charset=utf-8",
      "content-length": body.length,
    });
    response.end(body);
  });
});
server.listen(Number(process.env.PORT), "127.0.0.1");
process.once("SIGTERM", () => server.close(() => process.exit(0)));
