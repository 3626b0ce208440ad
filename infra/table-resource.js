// serverless.yml's table: infra/table.json (the definition the local stack also creates) plus the
// stage's table name, so that functions get a plain TABLE_NAME (which `serverless invoke local` needs too).
const definition = require('./table.json');

module.exports = async ({ resolveVariable }) => ({
  ...definition,
  TableName: await resolveVariable('self:custom.tableName'),
});
