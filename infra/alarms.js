// The alarm topic's subscriptions: ALARM_EMAIL (when set at deploy time) gets every alarm by e-mail.
module.exports = {
  subscriptions() {
    const email = process.env.ALARM_EMAIL;
    return email ? [{ Protocol: 'email', Endpoint: email }] : [];
  },
};
