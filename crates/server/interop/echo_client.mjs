// The real laravel-echo + pusher-js, as a browser app would use them, against
// a BudTags server's built-in Pusher endpoint. Run by crates/server/tests/interop.rs.
//
//   node echo_client.mjs <server-url> <cookie> <csrf-token> [spec...]
//
// Each spec is `channel:EventClass` (Echo.private(channel).listen(EventClass):
// wait for one event) or `!channel` (the subscription must be refused).
// Default: `org.1:LabelApproved`. Prints one JSON object per line on stdout:
//   {"type":"subscribed","channel":"private-org.1"}
//   {"type":"denied","channel":"private-org.2","error":"auth answered 403: ..."}
//   {"type":"event","channel":"private-org.1","event":"LabelApproved","data":{...}}
//   {"type":"error","message":"..."}
// and exits 0 once every spec is satisfied, 1 on an unexpected error or after 30 s.

import Echo from 'laravel-echo';
import Pusher from 'pusher-js';

const [serverUrl, cookie, csrfToken, ...rest] = process.argv.slice(2);
if (!serverUrl || !cookie || !csrfToken) {
  console.error('usage: node echo_client.mjs <server-url> <cookie> <csrf-token> [channel:Event | !channel]...');
  process.exit(2);
}
const specs = rest.length > 0 ? rest : ['org.1:LabelApproved'];
const base = new URL(serverUrl);
// The app key is generated per server: ask for it as the web app does.
const config = await fetch(new URL('/api/realtime/config', base)).then((r) => r.json());

const print = (line) => process.stdout.write(JSON.stringify(line) + '\n');
let pending = specs.length;
const done = () => {
  pending -= 1;
  if (pending === 0) {
    echo.disconnect();
    process.exit(0);
  }
};
const fail = (message) => {
  print({ type: 'error', message });
  process.exit(1);
};
setTimeout(() => fail('timed out after 30 s'), 30_000).unref();

const echo = new Echo({
  broadcaster: 'pusher',
  Pusher,
  key: config.pusher.key,
  cluster: 'budtags', // required by pusher-js, unused with wsHost
  wsHost: base.hostname,
  wsPort: Number(base.port),
  forceTLS: false,
  enabledTransports: ['ws'],
  disableStats: true,
  authEndpoint: new URL('/broadcasting/auth', base).toString(),
  // Echo puts this in `auth.headers` as X-CSRF-TOKEN, as it would read it from
  // <meta name="csrf-token"> in a browser.
  csrfToken,
  // A browser sends the session cookie by itself; Node's XMLHttpRequest (which
  // pusher-js uses) refuses to set a Cookie header, so authorize with fetch,
  // sending exactly what pusher-js would plus the cookie.
  authorizer: (channel, options) => ({
    authorize: (socketId, callback) => {
      fetch(options.authEndpoint, {
        method: 'POST',
        headers: {
          ...options.auth.headers,
          'Content-Type': 'application/x-www-form-urlencoded',
          Cookie: cookie,
        },
        body: new URLSearchParams({ socket_id: socketId, channel_name: channel.name }),
      })
        .then(async (response) => {
          if (!response.ok) {
            const error = new Error(`auth answered ${response.status}: ${await response.text()}`);
            error.status = response.status;
            throw error;
          }
          return response.json();
        })
        .then((data) => callback(null, data), (error) => callback(error, null));
    },
  }),
});

echo.connector.pusher.connection.bind('error', (error) => {
  print({ type: 'connection-error', error: error?.error?.data ?? String(error) });
});

for (const spec of specs) {
  if (spec.startsWith('!')) {
    const name = spec.slice(1);
    echo
      .private(name)
      .subscribed(() => fail(`subscribed to private-${name}, which should have been refused`))
      .error((status) => {
        // pusher-js passes {type: 'AuthError', error: <message>} for a custom authorizer's error.
        print({ type: 'denied', channel: `private-${name}`, error: status?.error ?? null });
        done();
      });
  } else {
    const [name, eventClass] = spec.split(':');
    let seen = false;
    echo
      .private(name)
      .subscribed(() => print({ type: 'subscribed', channel: `private-${name}` }))
      .error((status) => fail(`subscription to private-${name} failed: ${JSON.stringify(status)}`))
      .listen(eventClass, (data) => {
        if (seen) return;
        seen = true;
        print({ type: 'event', channel: `private-${name}`, event: eventClass, data });
        done();
      });
  }
}
