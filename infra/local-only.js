// Functions that exist in the local stage only: serverless drops a function whose definition is null, so
// `serverless package --stage prod` contains no trace of them (nor of their routes and IAM).
module.exports = {
  // The stage comes from the command line (`--stage`), as serverless.yml's provider.stage does; none means 'dev'.
  dev({ options }) {
    if ((options.stage ?? 'dev') !== 'local') return null;
    const secret = (name) => ({
      Effect: 'Allow',
      Action: ['ssm:GetParameters'],
      Resource: { 'Fn::Sub': `arn:\${AWS::Partition}:ssm:\${AWS::Region}:\${AWS::AccountId}:parameter/tuangou/local/${name}` },
    });
    return {
      handler: 'functions/dev/handler.main',
      environment: { SECRETS: 'AUTH_SECRET,PAYMENT_WEBHOOK_SECRET' },
      events: [
        { httpApi: 'POST /dev/login' },
        { httpApi: 'POST /dev/pay/{orderId}' },
        { httpApi: 'GET /dev/sms' },
        { httpApi: 'GET /dev/messages' },
      ],
      iamRoleStatements: [
        {
          Effect: 'Allow',
          Action: ['dynamodb:GetItem', 'dynamodb:PutItem', 'dynamodb:ConditionCheckItem', 'dynamodb:Query'],
          Resource: { 'Fn::GetAtt': ['Table', 'Arn'] },
        },
        secret('AUTH_SECRET'),
        secret('PAYMENT_WEBHOOK_SECRET'),
      ],
    };
  },
};
