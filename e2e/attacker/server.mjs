// The attacker's site for the attack spec: another site (127.0.0.1, not localhost) that serves
// a cross-site form POST and a blank page to run fetch() from. Listens on loopback only.
import { createServer } from 'node:http';

const port = 4174;
const escape = (text) => text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

createServer((req, res) => {
  const url = new URL(req.url ?? '/', `http://127.0.0.1:${port}`);
  if (url.pathname === '/health') {
    res.end('ok');
    return;
  }
  if (url.pathname === '/form') {
    // A classic CSRF: a form that posts itself to the API with the victim's cookies, if any go.
    const action = escape(url.searchParams.get('action') ?? '');
    const enctype = escape(url.searchParams.get('enctype') ?? 'text/plain');
    res.setHeader('Content-Type', 'text/html');
    res.end(`<!doctype html><title>You won a prize</title>
<form method="POST" action="${action}" enctype="${enctype}"><input type="hidden" name='{"name":"pwned","x":"' value='"}'></form>
<script>document.forms[0].submit()</script>`);
    return;
  }
  res.setHeader('Content-Type', 'text/html');
  res.end('<!doctype html><title>Attacker</title><h1>Nothing to see</h1>');
}).listen(port, '127.0.0.1');
