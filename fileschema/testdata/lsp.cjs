// lsp.cjs SERVER FILE LINE CHAR: runs the YAML language server (SERVER, its
// bin/yaml-language-server) over stdio as an editor would: opens FILE (whose
// modeline names its schema), waits for the diagnostics, asks for completion at
// LINE:CHAR (0-based), and prints {"diagnostics": [{line, message}], "completion":
// [labels]} as JSON. It exits 1 after 60 s without an answer.
const { spawn } = require("child_process");
const fs = require("fs");
const path = require("path");
const { pathToFileURL } = require("url");

const [server, file, line, char] = process.argv.slice(2);
const uri = pathToFileURL(path.resolve(file)).href;
const ls = spawn(process.execPath, [server, "--stdio"], { stdio: ["pipe", "pipe", "inherit"] });
setTimeout(() => { console.error("no answer from the language server in 60 s"); process.exit(1); }, 60000);

let id = 0;
const pending = new Map();
function send(msg) {
  const body = JSON.stringify({ jsonrpc: "2.0", ...msg });
  ls.stdin.write(`Content-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`);
}
function request(method, params) {
  return new Promise((resolve) => { pending.set(++id, resolve); send({ id, method, params }); });
}
const notify = (method, params) => send({ method, params });

let diagnostics = null;
let onDiagnostics = () => {};
let buf = Buffer.alloc(0);
ls.stdout.on("data", (chunk) => {
  buf = Buffer.concat([buf, chunk]);
  for (;;) {
    const head = buf.indexOf("\r\n\r\n");
    if (head < 0) return;
    const len = Number(/Content-Length: (\d+)/i.exec(buf.slice(0, head).toString())[1]);
    if (buf.length < head + 4 + len) return;
    const msg = JSON.parse(buf.slice(head + 4, head + 4 + len).toString());
    buf = buf.slice(head + 4 + len);
    if (msg.id !== undefined && pending.has(msg.id) && !msg.method) {
      pending.get(msg.id)(msg.result);
      pending.delete(msg.id);
    } else if (msg.method === "textDocument/publishDiagnostics" && msg.params.uri === uri) {
      diagnostics = msg.params.diagnostics;
      onDiagnostics();
    } else if (msg.id !== undefined && msg.method) {
      send({ id: msg.id, result: msg.method === "workspace/configuration" ? msg.params.items.map(() => settings.yaml) : null });
    }
  }
});

const tags = JSON.parse(process.env.RIGLET_TAGS || "[]");
const settings = { yaml: { validate: true, completion: true, hover: true, customTags: tags, schemaStore: { enable: false } } };

(async () => {
  await request("initialize", { processId: process.pid, rootUri: null, capabilities: { textDocument: { completion: { completionItem: { snippetSupport: false } } } } });
  notify("initialized", {});
  notify("workspace/didChangeConfiguration", { settings });
  const got = new Promise((resolve) => { onDiagnostics = resolve; });
  notify("textDocument/didOpen", { textDocument: { uri, languageId: "yaml", version: 1, text: fs.readFileSync(file, "utf8") } });
  await got;
  const comp = await request("textDocument/completion", { textDocument: { uri }, position: { line: Number(line), character: Number(char) } });
  const items = Array.isArray(comp) ? comp : (comp && comp.items) || [];
  console.log(JSON.stringify({
    diagnostics: diagnostics.map((d) => ({ line: d.range.start.line + 1, message: d.message })),
    completion: items.map((i) => i.label),
  }));
  await request("shutdown", null);
  notify("exit", null);
  process.exit(0);
})();
