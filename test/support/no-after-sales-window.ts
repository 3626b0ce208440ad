// Imported first by tests of payouts: no after-sales window, so earnings are available at once.
// (Configuration is read once, when the functions' modules load.)
process.env.AFTER_SALES_HOURS = '0';
