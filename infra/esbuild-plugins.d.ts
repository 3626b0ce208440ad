// The types of infra/esbuild-plugins.js (CommonJS, so that serverless-esbuild can require it as it is).
import type { Plugin } from 'esbuild';

/** The AWS build's plugins: CloudBase's adapters left out. */
declare const awsPlugins: Plugin[] & { cloudbasePlugins: Plugin[] };
export = awsPlugins;
