// Runs before every test file: the local stage, quiet logs, and a table of the file's own.
process.env.STAGE = 'local';
process.env.AWS_SDK_JS_SUPPRESS_NODE_VERSION_WARNING = '1';
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = 'true';
process.env.LOG_REQUESTS = '0';
process.env.TABLE_NAME = `test-${process.env.JEST_WORKER_ID ?? '0'}-${Date.now().toString(36)}-${Math.random().toString(36).slice(2, 8)}`;
// Powertools: logs through the global console (tests watch it), no metrics printed (none leave this machine).
process.env.POWERTOOLS_DEV = 'true';
process.env.POWERTOOLS_METRICS_DISABLED = 'true';
