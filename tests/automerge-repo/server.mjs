// A sync server as @automerge/automerge-repo-sync-server builds it (a Repo with the websocket
// server adapter, file storage, and a share policy that only answers for documents peers ask for
// by id), on automerge-repo 2.5.6 like the peers. Prints "stored N" as documents arrive.
import http from "node:http"
import { WebSocketServer } from "ws"
import { Repo } from "@automerge/automerge-repo"
import { WebSocketServerAdapter } from "@automerge/automerge-repo-network-websocket"
import { NodeFSStorageAdapter } from "@automerge/automerge-repo-storage-nodefs"

// Over a 2G link some of automerge-repo's internal 60 s timeouts expire and reject with no
// handler, which would end the process; log them and keep syncing.
process.on("unhandledRejection", (e) => console.error(`unhandled rejection: ${e}`))

const wss = new WebSocketServer({ noServer: true })
const repo = new Repo({
  network: [new WebSocketServerAdapter(wss)],
  storage: new NodeFSStorageAdapter(process.env.DATA_DIR),
  peerId: "sync-server",
  sharePolicy: async () => false,
})
// How many documents the server holds with their content, checked five times a second.
let last = -1
setInterval(() => {
  let n = 0
  for (const handle of Object.values(repo.handles)) {
    try {
      if (handle.isReady() && handle.doc()?.title !== undefined) n++
    } catch {}
  }
  if (n !== last) {
    last = n
    console.log(`stored ${n}`)
  }
}, 200)
const server = http.createServer((_, res) => res.end("ok"))
server.on("upgrade", (req, socket, head) => wss.handleUpgrade(req, socket, head, (ws) => wss.emit("connection", ws, req)))
server.listen(Number(process.env.PORT || 0), "127.0.0.1", () => console.log(`listening ${server.address().port}`))
