// The page of SentrySdkIT loads @sentry/browser as one script, as Sentry's CDN bundles are
// loaded: this is the npm package itself, bundled by esbuild (npm run build), nothing added.
export * from '@sentry/browser';
