// Conflicts side by side: both values, who set them and when; one tap keeps one.
import SotayAppModel
import SotayCore
import SwiftUI

struct ConflictsView: View {
    let store: Store
    @Environment(AppState.self) private var app
    @State private var cards: [ConflictCard] = []
    @State private var problem: String?

    var body: some View {
        let lang = app.lang
        List {
            if cards.isEmpty { Text(words(lang, "Không có xung đột.", "No conflicts.")) }
            ForEach(cards) { card in
                Section("\(card.kind) · \(card.field)") {
                    HStack(alignment: .top, spacing: 12) {
                        ForEach(card.sides) { side in
                            VStack(alignment: .leading, spacing: 6) {
                                Text(side.text).font(.headline)
                                Text("\(side.author)\n\(side.when)").font(.caption).foregroundStyle(.secondary)
                                Button(words(lang, "Giữ giá trị này", "Keep this")) { choose(card, side) }
                                    .buttonStyle(.bordered).frame(minHeight: 44)
                            }
                            .frame(maxWidth: .infinity, alignment: .leading)
                        }
                    }
                }
            }
            if let problem { Text(problem).foregroundStyle(.red) }
        }
        .navigationTitle(words(lang, "Xung đột", "Conflicts"))
        .task { load() }
    }

    private var model: ConflictsModel { ConflictsModel(store: store, lang: app.lang) }

    private func load() {
        do { cards = try model.cards() } catch { problem = Words.problem(error, lang: app.lang) }
    }

    private func choose(_ card: ConflictCard, _ side: ConflictSide) {
        do { try model.choose(card, side) } catch { problem = Words.problem(error, lang: app.lang) }
        load()
    }
}
