// The baseline: a bare node:http server answering a fixed JSON body (keep-alive), on PORT.
import http from 'node:http';

const body = Buffer.from(JSON.stringify({ access_token: 'x'.repeat(40), token_type: 'Bearer', expires_in: 3600 }));
const port = Number(process.env.PORT);

http
  .createServer((req, res) => {
    req.resume();
    req.on('end', () => {
      res.writeHead(200, {
        'content-type': 'application/json',
        'content-length': body.length,
        'cache-control': 'no-store',
      });
      res.end(body);
    });
  })
  .listen(port, '127.0.0.1');

process.on('SIGTERM', () => process.exit(0));
