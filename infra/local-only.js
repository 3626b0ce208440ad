// Functions that exist in the local stage only: serverless drops a function whose definition is null, so
// `serverless package --stage prod` contains no trace of them (nor of their routes and IAM).
module.exports = {
  // The stage comes from the command line (`--stage`), as serverless.yml's provider.stage does; none means 'dev'.
  dev({ options }) {
    if ((options.stage ?? 'dev') !== 'local') return null;
    return {
      handler: 'functions/dev/handler.main',
      events: [{ httpApi: 'POST /dev/login' }, { httpApi: 'POST /dev/pay/{orderId}' }, { httpApi: 'GET /dev/sms' }],
      iamRoleStatements: [
        {
          Effect: 'Allow',
          Action: ['dynamodb:GetItem', 'dynamodb:PutItem', 'dynamodb:UpdateItem', 'dynamodb:ConditionCheckItem'],
          Resource: { 'Fn::GetAtt': ['Table', 'Arn'] },
        },
      ],
    };
  },
};
