// A device with automerge-repo and its websocket client adapter, no storage.
//   node peer.mjs create ws://HOST:PORT records.json ids.json   creates one document per record
//   node peer.mjs fetch  ws://HOST:PORT ids.json                 fetches every document by id
import fs from "node:fs"
import { Repo } from "@automerge/automerge-repo"
import { WebSocketClientAdapter } from "@automerge/automerge-repo-network-websocket"

// Over a 2G link some of automerge-repo's internal 60 s timeouts expire and reject with no
// handler, which would end the process; log them and keep syncing.
process.on("unhandledRejection", (e) => console.error(`unhandled rejection: ${e}`))

const [mode, url, a, b] = process.argv.slice(2)
const repo = new Repo({ network: [new WebSocketClientAdapter(url)], sharePolicy: async () => true })

if (mode === "create") {
  const records = JSON.parse(fs.readFileSync(a, "utf8"))
  const ids = records.map((r) => repo.create(r).url)
  fs.writeFileSync(b, JSON.stringify(ids))
  console.log(`created ${ids.length}`)
  // Stay connected: the server pulls what it is offered.
  setInterval(() => {}, 1000)
} else if (mode === "fetch") {
  const ids = JSON.parse(fs.readFileSync(a, "utf8"))
  const started = Date.now()
  const fetchOne = async (id) => {
    for (;;) {
      try {
        const handle = await repo.find(id)
        if (handle.doc()?.title !== undefined) return
      } catch {
        await new Promise((r) => setTimeout(r, 500))
      }
    }
  }
  await Promise.all(ids.map(fetchOne))
  console.log(`fetched ${ids.length} in ${Date.now() - started} ms`)
  process.exit(0)
}
