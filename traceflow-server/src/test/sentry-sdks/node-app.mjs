// Run by SentrySdkIT as `node node-app.mjs <dsn>`: a small Node app that reports with @sentry/node
// as any app would, its session with one handled exception whose event is big enough (> 32 KiB) for
// the SDK to gzip it. Prints one JSON line of what it did for the test to compare.
import * as http from 'node:http';
import * as Sentry from '@sentry/node';

const dsn = process.argv[2];
const statuses = [];
const encodings = [];
// the SDK's own http module, watched: which requests it sent compressed
const httpModule = {
  request(options, callback) {
    encodings.push(options.headers['content-encoding'] ?? 'identity');
    return http.request(options, callback);
  },
};
Sentry.init({
  dsn,
  release: 'api@1.0.0',
  environment: 'test',
  transport: (options) => {
    const transport = Sentry.makeNodeTransport({ ...options, httpModule });
    return {
      ...transport,
      send: async (envelope) => {
        const response = await transport.send(envelope);
        statuses.push(response.statusCode);
        return response;
      },
    };
  },
});

// the SDK started the process's session at init; it learns the user now, as apps often do after start
Sentry.setUser({ id: 'node-user-1' });
let eventId;
try {
  JSON.parse('{"cart": ');
} catch (error) {
  eventId = Sentry.captureException(error, {
    tags: { region: 'eu' },
    // padding that takes the envelope past the SDK's gzip threshold of 32 KiB
    extra: { payload: 'x'.repeat(40 * 1024) },
  });
}
// the event is processed asynchronously and counts in the session once sent: wait for it, then do
// what the SDK does at process exit, here, so the session's last update is sent before the flush
await Sentry.flush(10000);
Sentry.endSession();
await Sentry.flush(10000);
console.log(JSON.stringify({ eventId, statuses, encodings }));
await Sentry.close(2000);
