// serverless.yml's side of lib/runtime/stream-routes.json: one queue and one dead-letter queue per
// consumer (with an alarm on the dead-letter queue), the router's environment (each queue's URL) and its
// IAM (SendMessage to those queues only). The names follow lib/runtime/stream-routes.ts.
const { consumers } = require('../lib/runtime/stream-routes.json');

const words = (name) => name.replace(/([a-z0-9])([A-Z])/g, '$1 $2').split(/[\s_-]+/);
const queueUrlVariable = (consumer) => `QUEUE_URL_${words(consumer).join('_').toUpperCase()}`;
const queueLogicalId = (consumer, dead = false) =>
  `${words(consumer)
    .map((w) => w[0].toUpperCase() + w.slice(1))
    .join('')}${dead ? 'DeadLetterQueue' : 'Queue'}`;

const prefixOf = async (resolveVariable) => `${await resolveVariable('self:service')}-${await resolveVariable('sls:stage')}`;

const FOURTEEN_DAYS = 1209600;
const FOUR_DAYS = 345600;

module.exports = {
  queueUrlVariable,
  queueLogicalId,

  async resources({ resolveVariable }) {
    const prefix = await prefixOf(resolveVariable);
    const Resources = {};
    for (const [name, route] of Object.entries(consumers)) {
      const queue = queueLogicalId(name);
      const dead = queueLogicalId(name, true);
      Resources[dead] = {
        Type: 'AWS::SQS::Queue',
        Properties: { QueueName: `${prefix}-${name}-dlq`, MessageRetentionPeriod: FOURTEEN_DAYS, SqsManagedSseEnabled: true },
      };
      Resources[queue] = {
        Type: 'AWS::SQS::Queue',
        Properties: {
          QueueName: `${prefix}-${name}`,
          VisibilityTimeout: route.visibilityTimeoutSeconds,
          MessageRetentionPeriod: FOUR_DAYS,
          SqsManagedSseEnabled: true,
          RedrivePolicy: { deadLetterTargetArn: { 'Fn::GetAtt': [dead, 'Arn'] }, maxReceiveCount: route.maxReceiveCount },
        },
      };
      // Anything in a dead-letter queue is work that did not happen: an operator must look (npm run redrive).
      Resources[`${queue}DeadLettersAlarm`] = {
        Type: 'AWS::CloudWatch::Alarm',
        Properties: {
          AlarmDescription: `${name}: messages in its dead-letter queue`,
          Namespace: 'AWS/SQS',
          MetricName: 'ApproximateNumberOfMessagesVisible',
          Dimensions: [{ Name: 'QueueName', Value: { 'Fn::GetAtt': [dead, 'QueueName'] } }],
          Statistic: 'Maximum',
          Period: 60,
          EvaluationPeriods: 1,
          Threshold: 0,
          ComparisonOperator: 'GreaterThanThreshold',
          TreatMissingData: 'notBreaching',
          AlarmActions: [{ Ref: 'AlarmTopic' }],
        },
      };
    }
    return { Resources };
  },

  routerEnvironment() {
    return Object.fromEntries(Object.keys(consumers).map((name) => [queueUrlVariable(name), { Ref: queueLogicalId(name) }]));
  },

  routerIam() {
    // The queues, and the stream event source's on-failure destination.
    const queues = Object.keys(consumers).map((name) => ({ 'Fn::GetAtt': [queueLogicalId(name), 'Arn'] }));
    return [{ Effect: 'Allow', Action: ['sqs:SendMessage'], Resource: [...queues, { 'Fn::GetAtt': ['StreamFailureQueue', 'Arn'] }] }];
  },
};
