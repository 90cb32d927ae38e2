// The pull-only gateway's server (see pull-only-gateway.ts), in a process of its own: the suites run nx with
// spawnSync, which blocks their event loop, so a server inside the test process would never answer nx.
// argv: <listen port> <backend port> <user> <password>
const { Buffer } = require('node:buffer');
const { createServer, request } = require('node:http');

const [port, backendPort, user, password] = process.argv.slice(2);
const expected = `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}`;

createServer((incoming, answer) => {
  const anonymousRead = (incoming.method === 'GET' || incoming.method === 'HEAD') && incoming.url !== '/v2/';
  if (incoming.headers.authorization !== expected && !anonymousRead) {
    incoming.resume();
    answer.writeHead(401, { 'www-authenticate': 'Basic realm="trusted"', 'content-type': 'application/json' });
    answer.end('{"errors":[{"code":"UNAUTHORIZED","message":"authentication required"}]}');
    return;
  }
  const forwarded = request(
    { host: '127.0.0.1', port: Number(backendPort), method: incoming.method, path: incoming.url, headers: incoming.headers },
    (response) => {
      answer.writeHead(response.statusCode ?? 502, response.headers);
      response.pipe(answer);
    },
  );
  forwarded.on('error', () => answer.destroy());
  incoming.pipe(forwarded);
}).listen(Number(port), '127.0.0.1', () => process.stdout.write('listening\n'));
