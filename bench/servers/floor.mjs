// The floor: a bare node:http server answering a fixed JSON body, the most a Node process on this machine can
// answer. Gatehouse's session checks are reported as a share of it. With ANSWER_BYTES set, the body is padded
// to that length (the "sized" floor: what a bare server pays for a session answer's size, nothing looked up).
import { createServer } from "node:http";

const small = JSON.stringify({ status_code: 200, request_id: "request-id-test-floor", ok: true });
const bytes = Number(process.env.ANSWER_BYTES ?? 0);
const head = '{"request_id":"request-id-test-floor","status_code":200,"pad":"';
const body = bytes > 0 ? `${head}${"x".repeat(Math.max(0, bytes - head.length - 2))}"}` : small;
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
