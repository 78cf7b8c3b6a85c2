// A sync server as @automerge/automerge-repo-sync-server builds it (a Repo with the websocket
// server adapter, file storage, and a share policy that only answers for documents peers ask for
// by id), on automerge-repo 2.5.6 like the peers. Prints "stored N" as documents arrive.
import http from "node:http"
import { WebSocketServer } from "ws"
import { Repo } from "@automerge/automerge-repo"
import { WebSocketServerAdapter } from "@automerge/automerge-repo-network-websocket"
import { NodeFSStorageAdapter } from "@automerge/automerge-repo-storage-nodefs"

const wss = new WebSocketServer({ noServer: true })
const repo = new Repo({
  network: [new WebSocketServerAdapter(wss)],
  storage: new NodeFSStorageAdapter(process.env.DATA_DIR),
  peerId: "sync-server",
  sharePolicy: async () => false,
})
const complete = new Set()
repo.on("document", ({ handle }) => {
  const check = () => {
    const doc = handle.doc()
    if (doc && doc.title !== undefined && !complete.has(handle.documentId)) {
      complete.add(handle.documentId)
      console.log(`stored ${complete.size}`)
    }
  }
  handle.on("change", check)
  check()
})
const server = http.createServer((_, res) => res.end("ok"))
server.on("upgrade", (req, socket, head) => wss.handleUpgrade(req, socket, head, (ws) => wss.emit("connection", ws, req)))
server.listen(Number(process.env.PORT || 0), "127.0.0.1", () => console.log(`listening ${server.address().port}`))
