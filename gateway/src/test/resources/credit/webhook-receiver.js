// A usage webhook receiver written to LetAiCode's rules: it verifies
// x-webhook-signature == hex(HMAC-SHA256(secret, JSON.stringify(JSON.parse(body)))).
// Usage: node webhook-receiver.js <secret>; prints "PORT <n>"; GET /received lists what arrived.
const http = require('http');
const crypto = require('crypto');
const secret = process.argv[2];
const received = [];
const server = http.createServer((req, res) => {
  let body = '';
  req.setEncoding('utf8');
  req.on('data', (c) => { body += c; });
  req.on('end', () => {
    res.setHeader('content-type', 'application/json');
    if (req.method === 'GET' && req.url === '/received') {
      res.end(JSON.stringify(received));
      return;
    }
    let parsed;
    try {
      parsed = JSON.parse(body);
    } catch (e) {
      res.statusCode = 400;
      res.end(JSON.stringify({ success: false, message: 'bad json' }));
      return;
    }
    const reserialised = JSON.stringify(parsed);
    const expected = crypto.createHmac('sha256', secret).update(reserialised).digest('hex');
    const ok = req.headers['x-webhook-signature'] === expected;
    received.push({ eventId: parsed.eventId, ok, identical: reserialised === body, cost: String(parsed.data.cost),
      remoteKeyId: parsed.data.remoteKeyId, keyId: parsed.data.keyId });
    if (!ok) {
      res.statusCode = 401;
      res.end(JSON.stringify({ success: false, message: 'Invalid signature' }));
      return;
    }
    res.end(JSON.stringify({ success: true, message: 'ok', eventId: parsed.eventId }));
  });
});
server.listen(0, '127.0.0.1', () => { console.log('PORT ' + server.address().port); });
