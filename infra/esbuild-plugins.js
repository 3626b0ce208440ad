// Each cloud's bundles carry only that cloud's store adapters. The wirings pick CloudBase's adapters only when
// DATA_STORE=cloudbase, which no AWS function has, and DynamoDB's only when it is not, which every CloudBase
// function has: in the other cloud's bundles each of them is an empty module (a call to one would fail at once,
// "… is not a function"), so that neither cloud's cold starts load the other's code. This file's export is
// the AWS build's plugins (serverless.yml's `custom.esbuild.plugins`; bench/bundles.ts builds with them too);
// `cloudbasePlugins` are the CloudBase build's (scripts/cloudbase.ts).
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

module.exports = [leaveOut('adapters/cloudbase')];
module.exports.cloudbasePlugins = [leaveOut('store')];
