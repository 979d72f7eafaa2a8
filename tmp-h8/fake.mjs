import http from 'node:http'
http.createServer((req, res) => {
  let n = 0
  req.on('data', (c) => (n += c.length))
  req.on('end', () => {
    if (req.url === '/v1/events') { res.setHeader('content-type', 'application/json'); res.end(JSON.stringify({ accepted: 1, rejected: [] })); return }
    res.statusCode = 200
    res.setHeader('content-type', req.url.startsWith('/v1/') ? 'application/x-protobuf' : 'application/json')
    res.end(req.url === '/healthz' ? '{"status":"ok"}' : '')
  })
}).listen(43187)
