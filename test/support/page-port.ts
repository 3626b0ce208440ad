// Imported first by the browser tests: the stack's port is fixed before any module reads the
// configuration, so share links (PUBLIC_URL) name the port the pages are really served on.
const port = 20_000 + Math.floor(Math.random() * 20_000);
process.env.PORT = String(port);
process.env.PUBLIC_URL = `http://localhost:${port}`;
export const PAGE_PORT = port;
