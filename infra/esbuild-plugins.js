// Each cloud's bundles carry only that cloud's store adapters. The wirings pick CloudBase's adapters only when
// DATA_STORE=cloudbase, which no AWS function has, and DynamoDB's only when it is not, which every CloudBase
// function has: in the other cloud's bundles each of them is an empty module (a call to one would fail at once,
// "… is not a function"), so that neither cloud's cold starts load the other's code. This file's export is
// the AWS build's plugins (serverless.yml's `custom.esbuild.plugins`; bench/bundles.ts builds with them too);
// `cloudbasePlugins` are the CloudBase build's (scripts/cloudbase.ts), which also leave out the SSM client.
const { resolve, sep } = require('node:path');

const LIB = resolve(__dirname, '..', 'lib');

/** A plugin that makes every module under `lib/<folder>/` an empty one. */
function leaveOut(folder) {
  const inside = resolve(LIB, folder) + sep;
  return {
    name: `leave-out-lib-${folder.replace(/\W/g, '-')}`,
    setup(build) {
      build.onResolve({ filter: /^\.\.?\// }, (args) => {
        const path = resolve(args.resolveDir, args.path);
        return path.startsWith(inside) ? { path, namespace: 'other-cloud' } : undefined;
      });
      build.onLoad({ filter: /.*/, namespace: 'other-cloud' }, () => ({ contents: 'module.exports = {};', loader: 'js' }));
    },
  };
}

/**
 * A plugin that makes a package a module whose every use throws: for a package the other cloud's code imports
 * but this cloud never runs (CloudBase functions take their secrets from their environment, never from SSM:
 * lib/runtime/secrets.ts loads the SSM client only when a function declares secrets to fetch).
 */
function unused(pkg, why) {
  const filter = new RegExp(`^${pkg.replace(/[/.]/g, '\\$&')}$`);
  return {
    name: `unused-${pkg.replace(/\W/g, '-')}`,
    setup(build) {
      build.onResolve({ filter }, (args) => ({ path: args.path, namespace: 'unused' }));
      build.onLoad({ filter: /.*/, namespace: 'unused' }, (args) => ({
        contents: `throw new Error(${JSON.stringify(`${args.path} is not in this bundle: ${why}`)});`,
        loader: 'js',
      }));
    },
  };
}

module.exports = [leaveOut('adapters/cloudbase')];
module.exports.cloudbasePlugins = [
  leaveOut('store'),
  unused('@aws-sdk/client-ssm', 'CloudBase functions read their secrets from their environment (SECRETS is not set there)'),
];
