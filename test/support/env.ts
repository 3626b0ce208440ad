// Runs before every test file: the local stage, quiet logs, and a table of the file's own in a database
// of the file's own.
import { KEY_ID_VARIABLE, newAccessKeyId } from '../../infra/dynamodb-local';

process.env.STAGE = 'local';
process.env.AWS_SDK_JS_SUPPRESS_NODE_VERSION_WARNING = '1';
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = 'true';
process.env.LOG_REQUESTS = '0';
process.env.TABLE_NAME = `test-${process.env.JEST_WORKER_ID ?? '0'}-${Date.now().toString(36)}-${Math.random().toString(36).slice(2, 8)}`;
// DynamoDB Local keeps a database per key id, and a database grows slower with all it has ever held (500
// writes: 0.5 s in a new one, 16 s in one that has held 45,000 items; docs/decisions.md, 2026-12-01). A
// key id per file keeps each file's speed its own, whatever ran before it in the run.
process.env[KEY_ID_VARIABLE] = newAccessKeyId();
// Powertools: logs through the global console (tests watch it), no metrics printed (none leave this machine).
process.env.POWERTOOLS_DEV = 'true';
process.env.POWERTOOLS_METRICS_DISABLED = 'true';
// CloudBase's SDK asks, before every call, whether it runs inside Tencent Cloud: without this it probes
// metadata.tencentyun.com each time (a 30 ms timeout, a failure never cached). Inside a cloud function the
// answer is yes (TENCENTCLOUD_RUNENV=SCF); saying so here answers as there, without the probe.
process.env.TENCENTCLOUD = 'true';
